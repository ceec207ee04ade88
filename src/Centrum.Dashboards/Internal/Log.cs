using Microsoft.Extensions.Logging;

namespace Centrum.Dashboards.Internal;

/// <summary>Dashboard log events: ids 11500–11999. Tiles are the operator's text and never logged; dashboards are named by id.</summary>
internal static partial class Log
{
    [LoggerMessage(11501, LogLevel.Information, "Dashboard {DashboardId} of application {ApplicationId} written (new {Created}, personal {Personal})")]
    public static partial void Written(ILogger logger, string applicationId, string dashboardId, bool created, bool personal);

    [LoggerMessage(11502, LogLevel.Information, "Dashboard {DashboardId} of application {ApplicationId} deleted")]
    public static partial void Deleted(ILogger logger, string applicationId, string dashboardId);

    [LoggerMessage(11550, LogLevel.Information, "Saved query {QueryId} of application {ApplicationId} written (new {Created}, personal {Personal})")]
    public static partial void SavedQueryWritten(ILogger logger, string applicationId, string queryId, bool created, bool personal);

    [LoggerMessage(11551, LogLevel.Information, "Saved query {QueryId} of application {ApplicationId} deleted")]
    public static partial void SavedQueryDeleted(ILogger logger, string applicationId, string queryId);
}
