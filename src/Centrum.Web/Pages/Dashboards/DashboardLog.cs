using Microsoft.Extensions.Logging;

namespace Centrum.Web.Pages.Dashboards;

/// <summary>Dashboard page log events: ids 10800–10899 of the web application's range (10000–10999).</summary>
internal static partial class DashboardLog
{
    [LoggerMessage(10801, LogLevel.Warning, "Tile {TileId} of dashboard {DashboardId} in application {ApplicationId} could not read its data: {Reason}")]
    public static partial void TileReadFailed(ILogger logger, string applicationId, string dashboardId, string tileId, string reason);
}
