using Microsoft.Extensions.Logging;

namespace Centrum.Web.Devices;

/// <summary>Device view log events: ids 10000–10099 of the web application's range (10000–10999). Values and bodies are never logged.</summary>
internal static partial class DeviceViewLog
{
    [LoggerMessage(10001, LogLevel.Warning, "The live view of device {DeviceId} in application {ApplicationId} stopped updating")]
    public static partial void FeedFailed(ILogger logger, string applicationId, string deviceId, Exception exception);
}
