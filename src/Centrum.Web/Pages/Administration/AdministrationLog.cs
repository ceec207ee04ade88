using Microsoft.Extensions.Logging;

namespace Centrum.Web.Pages.Administration;

/// <summary>Administration page log events: ids 10300–10399 of the web application's range (10000–10999).</summary>
internal static partial class AdministrationLog
{
    [LoggerMessage(10301, LogLevel.Warning, "The export status of application {ApplicationId} could not be refreshed; the page tries again")]
    public static partial void RefreshFailed(ILogger logger, string applicationId, Exception exception);
}
