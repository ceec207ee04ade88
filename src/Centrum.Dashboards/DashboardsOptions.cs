using System.ComponentModel.DataAnnotations;

namespace Centrum.Dashboards;

/// <summary>Settings of the dashboards area (<c>Centrum:Dashboards</c>), validated at start.</summary>
public sealed class DashboardsOptions
{
    public const string Section = "Centrum:Dashboards";

    /// <summary>
    /// Dashboards one application holds, application and personal ones together. IoT Central publishes no such quota;
    /// this bounds what one application stores and what a list reads (each dashboard is at most 1 MiB of tiles). Raise it
    /// for an application with many members who each keep several personal dashboards.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxDashboardsPerApplication { get; set; } = 1000;

    /// <summary>
    /// Saved data-explorer queries one application holds, application and personal ones together. IoT Central
    /// publishes no such quota; this bounds what one application stores and what the explorer's list reads.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxSavedQueriesPerApplication { get; set; } = 1000;

    /// <summary>
    /// Personal saved queries one member keeps, so one member cannot fill the application's share alone. IoT Central
    /// publishes no such quota either.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxSavedQueriesPerMember { get; set; } = 100;
}
