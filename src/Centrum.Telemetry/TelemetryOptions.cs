using System.ComponentModel.DataAnnotations;

namespace Centrum.Telemetry;

/// <summary>Section <c>Centrum:Telemetry</c>.</summary>
public sealed class TelemetryOptions : IValidatableObject
{
    public const string Section = "Centrum:Telemetry";

    /// <summary>
    /// Messages waiting for the writer, per application. When full, QoS 1 publishers wait (their PUBACKs are delayed,
    /// as IoT Hub's traffic shaping does) and QoS 0 messages are dropped and counted. Raise it to absorb longer bursts
    /// at the cost of memory (a message holds its body until stored).
    /// </summary>
    [Range(1, 10_000_000)]
    public int QueueCapacity { get; set; } = 100_000;

    /// <summary>
    /// Bytes of messages waiting for the writer, per application, counted as they sit in memory (body, properties and
    /// parsed fields). Whichever of this and <see cref="QueueCapacity"/> is reached first applies the same rule: QoS 1
    /// publishers wait, QoS 0 messages are dropped. The default holds 512 of the largest (256 KB) messages.
    /// </summary>
    [Range(1L * 1024 * 1024, 64L * 1024 * 1024 * 1024)]
    public long QueueBytes { get; set; } = 128L * 1024 * 1024;

    /// <summary>Most messages written in one transaction. Larger batches amortise the commit's fsync further.</summary>
    [Range(1, 1_000_000)]
    public int MaxBatchSize { get; set; } = 20_000;

    /// <summary>How long a QoS 1 publisher may wait for room in a full queue before its connection is closed.</summary>
    public TimeSpan QueueFullTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Message ids (<c>$.mid</c>) remembered per application to drop re-sent duplicates, for example a message the
    /// device re-sends because the server stopped after storing it but before acknowledging it.
    /// </summary>
    [Range(0, 10_000_000)]
    public int DeduplicationWindow { get; set; } = 200_000;

    /// <summary>
    /// How long a stored message is remembered for de-duplication. A message is dropped as a re-send only when its
    /// <c>$.mid</c> and its content repeat within this time, so a rebooted device that restarts its message counter
    /// loses nothing. Cover the devices' retry time (the Azure IoT SDKs retry for minutes); a longer period risks
    /// dropping a rebooted device's message that happens to repeat an earlier one byte for byte.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan DeduplicationPeriod { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// DuckDB worker threads per database. Empty means half the cores (at least one): commits of small batches get
    /// slower with more threads, and the other cores serve connections. Raise it on a machine that mostly runs queries.
    /// </summary>
    [Range(1, 1024)]
    public int? DuckDbThreads { get; set; }

    /// <summary>
    /// Write-ahead log size at which the writer checkpoints its database once no message has arrived for 100 ms.
    /// DuckDB's own automatic checkpoint runs inside a commit, which every QoS 1 publisher of that batch waits on; the
    /// writer instead checkpoints between batches while idle, so no publisher waits for it.
    /// </summary>
    [Range(1L * 1024 * 1024, 16L * 1024 * 1024 * 1024)]
    public long CheckpointWalBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>
    /// The bound on the write-ahead log under sustained load, when the writer never finds its queue empty: past it the
    /// writer checkpoints between two batches anyway (the messages queued meanwhile wait for it). A larger bound makes
    /// such checkpoints rarer and longer, costs memory (DuckDB holds what is not checkpointed in its buffers) and
    /// lengthens the log replay after a crash.
    /// </summary>
    [Range(1L * 1024 * 1024, 64L * 1024 * 1024 * 1024)]
    public long MaxWalBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>How long telemetry is kept unless an application says otherwise (IoT Central keeps 30 days).</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often expired telemetry is deleted. Deletes run beside the writer and do not stall ingestion.</summary>
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Section <c>Centrum:Telemetry:Rollups</c>.</summary>
    public RollupOptions Rollups { get; set; } = new();

    public int EffectiveDuckDbThreads => DuckDbThreads ?? Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>Validates <see cref="Rollups"/>, whose failures name their key under this section.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var results = new List<ValidationResult>();
        if (CheckpointWalBytes > MaxWalBytes)
        {
            results.Add(new ValidationResult($"{nameof(CheckpointWalBytes)} must not exceed {nameof(MaxWalBytes)}.", [nameof(CheckpointWalBytes)]));
        }

        var rollups = new List<ValidationResult>();
        Validator.TryValidateObject(Rollups, new ValidationContext(Rollups), rollups, validateAllProperties: true);
        return results.Concat(rollups.Select(r => new ValidationResult(r.ErrorMessage, r.MemberNames.Select(m => $"{nameof(Rollups)}:{m}"))));
    }
}
