using System.Text.Json.Nodes;
using Centrum.Telemetry;

namespace Centrum.Export.Internal;

/// <summary>
/// One entry of a source's durable log: a stored telemetry message, or an event-log row (kind and data). Its
/// <see cref="Sequence"/> is the cursor position after it.
/// </summary>
internal sealed record SourceRecord(long Sequence, DateTimeOffset Time, string DeviceId, string? ModuleId, string Kind, JsonObject? Data, StoredMessage? Message);
