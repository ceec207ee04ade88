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
}
