using Microsoft.Extensions.Logging;

namespace Centrum.Groups.Internal;

/// <summary>Device group log events: ids 9500–9599. Filters are the operator's text and logged by group id only.</summary>
internal static partial class Log
{
    [LoggerMessage(9501, LogLevel.Information, "Device group {GroupId} of application {ApplicationId} written (new {Created})")]
    public static partial void Written(ILogger logger, string applicationId, string groupId, bool created);

    [LoggerMessage(9502, LogLevel.Information, "Device group {GroupId} of application {ApplicationId} deleted")]
    public static partial void Deleted(ILogger logger, string applicationId, string groupId);
}
