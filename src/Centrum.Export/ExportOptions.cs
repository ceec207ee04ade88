using System.ComponentModel.DataAnnotations;

namespace Centrum.Export;

/// <summary>Section <c>Centrum:Export</c>: continuous data export.</summary>
public sealed class ExportOptions : IValidatableObject
{
    public const string Section = "Centrum:Export";

    /// <summary>
    /// Source records read and delivered as one batch when the export keeps up: the smallest batch. An export that
    /// finds a full batch waiting doubles its batch, up to <see cref="MaxBatchSize"/>, and halves it again as the
    /// backlog shrinks, so a backlog is worked off in large batches (a batch pays its read, the cursor's commit and one
    /// load per new device once) while under light load a batch stays small. The cursor advances per batch: a crash
    /// repeats at most the batch in flight. A failed delivery resends only what the destination did not accept, where
    /// it says so (a webhook answers each message).
    /// </summary>
    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 500;

    /// <summary>
    /// The largest batch a backlog grows to (at least <see cref="BatchSize"/>). It bounds the memory of a delivery
    /// (the batch being sent and the next one, read and built meanwhile) and what a crash repeats.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxBatchSize { get; set; } = 4_000;

    /// <summary>How often an idle export looks for new data when no event woke it (events normally wake it at once).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The first retry delay after a failed delivery; each further failure doubles it, with jitter.</summary>
    public TimeSpan InitialRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest delay between retries of a destination that stays down.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>An export whose oldest undelivered message is older than this reports a backlog error (it keeps delivering; nothing is dropped).</summary>
    public TimeSpan BacklogAgeLimit { get; set; } = TimeSpan.FromHours(1);

    /// <summary>An export with more undelivered records than this reports a backlog error.</summary>
    [Range(1, long.MaxValue)]
    public long BacklogCountLimit { get; set; } = 1_000_000;

    /// <summary>Exports per application (IoT Central allows 10; here it only bounds the work one application can start).</summary>
    [Range(1, 10_000)]
    public int MaxExports { get; set; } = 50;

    /// <summary>Destinations per application.</summary>
    [Range(1, 10_000)]
    public int MaxDestinations { get; set; } = 50;

    /// <summary>Destinations one export sends to (IoT Central: 10).</summary>
    [Range(1, 1_000)]
    public int MaxDestinationsPerExport { get; set; } = 10;

    /// <summary>
    /// Lets destinations connect to loopback, unspecified and link-local addresses (169.254.0.0/16, fe80::/10). Off by
    /// default: an application's builders would otherwise reach services bound to this machine only, or a cloud
    /// instance's metadata service. Turn it on for a receiver on the same machine. The server's own management port
    /// stays refused either way.
    /// </summary>
    public bool AllowLocalDestinations { get; set; }

    /// <summary>
    /// Refuses destinations on private addresses (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7). Off by default,
    /// since on-premises receivers are normal; turn it on where the export may only leave the private network.
    /// </summary>
    public bool RefusePrivateDestinations { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxBatchSize < BatchSize)
        {
            yield return new($"The largest batch cannot be smaller than the first ({BatchSize}).", [nameof(MaxBatchSize)]);
        }
    }
}
