namespace Centrum.IotHub;

internal enum DpsTopicKind
{
    Forbidden,
    Register,
    OperationStatus,
}

internal readonly record struct DpsTopic(DpsTopicKind Kind, string? RequestId = null, string? OperationId = null);

/// <summary>The DPS MQTT grammar (DPS docs "Communicate with DPS using the MQTT protocol").</summary>
internal static class DpsTopics
{
    public const string ResponsesFilter = "$dps/registrations/res/#";
    private const string RegisterPrefix = "$dps/registrations/PUT/iotdps-register/?";
    private const string StatusPrefix = "$dps/registrations/GET/iotdps-get-operationstatus/?";

    /// <summary>
    /// <c>{idScope}/registrations/{registrationId}/api-version=…</c>: no <c>?</c>, the third segment is the registration
    /// id, the fourth begins with <c>api-version=</c>.
    /// </summary>
    public static (string IdScope, string RegistrationId)? ParseUserName(string? userName)
    {
        if (userName is null || userName.Contains('?', StringComparison.Ordinal))
        {
            return null;
        }

        var segments = userName.Split('/', 4);
        return segments.Length == 4 && segments[1] == "registrations" && segments[0].Length > 0 && segments[2].Length > 0
               && segments[3].StartsWith("api-version=", StringComparison.Ordinal)
            ? (segments[0], segments[2])
            : null;
    }

    public static DpsTopic Classify(string topic)
    {
        if (topic.StartsWith(RegisterPrefix, StringComparison.Ordinal))
        {
            var query = Query(topic[RegisterPrefix.Length..]);
            return query.TryGetValue("$rid", out var rid) && rid.Length > 0 ? new DpsTopic(DpsTopicKind.Register, rid) : default;
        }

        if (topic.StartsWith(StatusPrefix, StringComparison.Ordinal))
        {
            var query = Query(topic[StatusPrefix.Length..]);
            return query.TryGetValue("$rid", out var rid) && rid.Length > 0 && query.TryGetValue("operationId", out var operation) && operation.Length > 0
                ? new DpsTopic(DpsTopicKind.OperationStatus, rid, operation)
                : default;
        }

        return default;
    }

    /// <summary>
    /// <c>$dps/registrations/res/{status}/?$rid={rid}[&amp;retry-after={s}]</c>: <c>$rid</c> first, every parameter with
    /// <c>=</c>, no other <c>$</c> (Python splits on it).
    /// </summary>
    public static string Response(int status, string requestId, int? retryAfter) =>
        retryAfter is null
            ? $"$dps/registrations/res/{status}/?$rid={requestId}"
            : $"$dps/registrations/res/{status}/?$rid={requestId}&retry-after={retryAfter}";

    private static Dictionary<string, string> Query(string query)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = item.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                result[item[..eq]] = PercentEncoding.Decode(item[(eq + 1)..]);
            }
        }

        return result;
    }
}
