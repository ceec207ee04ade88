using System.Text.Json;
using System.Text.Json.Serialization;
using Centrum.Jobs.Scheduling;

namespace Centrum.Jobs.Internal;

/// <summary>
/// How the jobs area keeps a definition and a schedule in its rows. Its own form, not IoT Central's wire form: the
/// wire form belongs to REST, and a stored job must read back the same whatever api-version made it.
/// </summary>
internal static class DefinitionJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Write(JobDefinition definition) => JsonSerializer.Serialize(definition, Options);

    public static JobDefinition ReadDefinition(string json) =>
        JsonSerializer.Deserialize<JobDefinition>(json, Options) ?? throw new JsonException("A stored job definition is empty.");

    public static string Write(JobSchedule schedule) => JsonSerializer.Serialize(schedule, Options);

    public static JobSchedule ReadSchedule(string json) =>
        JsonSerializer.Deserialize<JobSchedule>(json, Options) ?? throw new JsonException("A stored schedule is empty.");

    public static string Write(IReadOnlyCollection<string> ids) => JsonSerializer.Serialize(ids, Options);

    public static List<string> ReadIds(string json) => JsonSerializer.Deserialize<List<string>>(json, Options) ?? [];

    /// <summary>A reach as kept with a job: null for the whole application, else the organizations reached.</summary>
    public static string? Write(IReadOnlySet<string>? reach) => reach is null ? null : JsonSerializer.Serialize(reach.Order(StringComparer.Ordinal), Options);
}
