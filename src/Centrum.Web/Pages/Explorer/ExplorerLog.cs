using Microsoft.Extensions.Logging;

namespace Centrum.Web.Pages.Explorer;

/// <summary>Data explorer log events: ids 10700–10799 of the web application's range (10000–10999).</summary>
internal static partial class ExplorerLog
{
    [LoggerMessage(10701, LogLevel.Information, "A data explorer query in application {ApplicationId} over {Devices} devices answered {Rows} rows in {Milliseconds} ms")]
    public static partial void Ran(ILogger logger, string applicationId, int devices, int rows, long milliseconds);

    [LoggerMessage(10702, LogLevel.Information, "A data explorer query in application {ApplicationId} was refused: {Code}")]
    public static partial void Refused(ILogger logger, string applicationId, string code);

    [LoggerMessage(10704, LogLevel.Error, "A data explorer query in application {ApplicationId} failed in the telemetry store")]
    public static partial void Failed(ILogger logger, string applicationId, Exception exception);

    [LoggerMessage(10703, LogLevel.Warning, "The data explorer's chart could not be drawn")]
    public static partial void ChartFailed(ILogger logger, Exception exception);
}
