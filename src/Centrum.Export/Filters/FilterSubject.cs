using System.Text.Json.Nodes;

namespace Centrum.Export.Filters;

/// <summary>
/// What a filter is evaluated against: the export message before enrichment (telemetry, property change, lifecycle or
/// connectivity) and the facts of the device that sent it (<c>$id</c>, <c>$displayName</c>, <c>$template</c>, …, and
/// <c>properties</c> with root properties by name and component properties nested under the component's name).
/// </summary>
public sealed record FilterSubject(JsonObject Message, JsonObject Device);
