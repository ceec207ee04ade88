using System.ComponentModel.DataAnnotations;

namespace Centrum.Identity.Audit;

/// <summary>
/// Section <c>Centrum:Identity:Audit</c>: how long audit entries are kept. Entries older than <see cref="Retention"/>
/// are deleted by a background pass every <see cref="PruneInterval"/>, at most <see cref="RowsPerPass"/> per pass so a
/// large backlog never holds the metadata database for long. Keep the retention longer than an audit export may lag
/// behind, or export entries before they are pruned.
/// </summary>
public sealed class AuditOptions
{
    public const string Section = "Centrum:Identity:Audit";

    /// <summary>30 days by default: a month of history to investigate an incident, at a bounded size.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan PruneInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The most entries one pass deletes; the rest wait for the next pass.</summary>
    [Range(100, 10_000_000)]
    public int RowsPerPass { get; set; } = 50_000;
}
