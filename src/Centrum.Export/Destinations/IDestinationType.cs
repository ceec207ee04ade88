using System.Text.Json.Nodes;

namespace Centrum.Export.Destinations;

/// <summary>
/// One kind of export destination (IoT Central's <c>Destination.type</c>, e.g. <c>webhook@v1</c>): how its definition
/// is checked, what of it may be shown, and how to open a sender for it.
/// </summary>
public interface IDestinationType
{
    /// <summary>The discriminator value, e.g. <c>webhook@v1</c>.</summary>
    string Type { get; }

    /// <summary>
    /// Checks a destination definition (the REST body without <c>id</c>, <c>status</c>, <c>errors</c> and
    /// <c>lastExportTime</c>). Returns a message naming the offending member, or null when it is valid.
    /// </summary>
    string? Validate(JsonObject definition);

    /// <summary>The definition as REST shows it: secrets (keys, passwords, client secrets, secret headers) masked.</summary>
    JsonObject Redact(JsonObject definition);

    /// <summary>
    /// The members that say where the destination's secrets are sent (a URL, a token endpoint, a connection string's
    /// endpoint). A secret sent back masked is kept only while every one of them is unchanged, so that a stored secret
    /// never follows an edited destination to another host.
    /// </summary>
    IReadOnlyList<string[]> Targets { get; }

    /// <summary>Opens a sender for a valid definition. The sender is used by one export pipeline at a time.</summary>
    IDestinationSender Open(JsonObject definition, DestinationContext context);
}

/// <summary>What a sender knows of the export it serves.</summary>
public sealed record DestinationContext(string ApplicationId, string ExportId, string DestinationId, string Source);

/// <summary>
/// Delivers batches to one destination. <see cref="SendAsync"/> returns only when the destination has accepted every
/// message of the batch (a 2xx answer, a committed blob, a JetStream acknowledgement); otherwise it throws
/// <see cref="DestinationException"/> and the pipeline retries what the exception says was not accepted
/// (<see cref="DestinationException.Undelivered"/>; the whole batch when it does not say), so delivery is at least once.
/// </summary>
public interface IDestinationSender : IAsyncDisposable
{
    Task SendAsync(DeliveryBatch batch, CancellationToken cancellationToken);
}

/// <summary>
/// A batch of export messages in sequence order. Messages of one device keep their relative order; a sender may send
/// different devices' messages concurrently.
/// </summary>
public sealed record DeliveryBatch(IReadOnlyList<ExportedMessage> Messages)
{
    public long FirstSequence => Messages[0].Sequence;

    public long LastSequence => Messages[^1].Sequence;
}

/// <summary>One export message, already filtered, enriched and transformed: <paramref name="Body"/> is its UTF-8 JSON.</summary>
public sealed record ExportedMessage(long Sequence, string DeviceId, DateTimeOffset EnqueuedTime, ReadOnlyMemory<byte> Body);

/// <summary>A delivery that failed. <see cref="Permanent"/> marks failures a retry cannot fix (4xx other than 408/429).</summary>
public sealed class DestinationException(string message, bool permanent = false, Exception? inner = null) : Exception(message, inner)
{
    public bool Permanent { get; } = permanent;

    /// <summary>
    /// How long the destination asked to be left alone (an HTTP <c>Retry-After</c> on 429 or 503), when it said so;
    /// the pipeline should wait at least this long before retrying instead of its own backoff.
    /// </summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>
    /// The messages of the failed batch the destination may not have accepted, in batch order, when the sender knows
    /// which were accepted (a webhook answers each message); null when it does not, and then all of them are retried.
    /// Every message not known to be accepted must be here: the pipeline resends only these.
    /// </summary>
    public IReadOnlyList<ExportedMessage>? Undelivered { get; init; }
}
