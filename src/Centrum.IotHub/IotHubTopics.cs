using System.Runtime.CompilerServices;

namespace Centrum.IotHub;

internal enum DeviceTopicKind
{
    /// <summary>Not a topic this identity may publish to: the connection closes (IoT Hub docs "Communicate with an IoT hub using the MQTT protocol": an unsupported topic closes the connection).</summary>
    Forbidden,
    Telemetry,
    TwinGet,
    TwinPatchReported,
    MethodResponse,
}

/// <summary>A classified device publish topic.</summary>
/// <remarks><see cref="Bag"/> is a slice of the topic, not a copy: most messages are parsed once and never need it as a string.</remarks>
internal readonly record struct DeviceTopic(DeviceTopicKind Kind, ReadOnlyMemory<char> Bag = default, string? RequestId = null, int Status = 0);

/// <summary>
/// The IoT Hub MQTT topic grammar in one place (IoT Hub docs "Communicate with an IoT hub using the MQTT protocol"): which topics an identity may publish
/// to and subscribe to, and how server-to-device topics are spelled.
/// </summary>
internal static class IotHubTopics
{
    private const string TwinGetPrefix = "$iothub/twin/GET/";
    private const string TwinPatchReportedPrefix = "$iothub/twin/PATCH/properties/reported/";
    private const string MethodResponsePrefix = "$iothub/methods/res/";

    /// <summary>Filters every identity may hold; <c>#</c> here only means "properties follow".</summary>
    private static readonly string[] SharedFilters = ["$iothub/methods/POST/#", "$iothub/twin/res/#", "$iothub/twin/PATCH/properties/desired/#"];

    public static string IdentityPrefix(string deviceId, string? moduleId) =>
        moduleId is null ? $"devices/{deviceId}/" : $"devices/{deviceId}/modules/{moduleId}/";

    public static DeviceTopic ClassifyPublish(string topic, string deviceId, string? moduleId)
    {
        // Matched piece by piece rather than against IdentityPrefix(...) + "messages/events": that string cost two
        // allocations on every PUBLISH (bench/micro.sh, TopicBenchmarks).
        var events = topic.AsSpan();
        if (SkipIdentity(ref events, deviceId, moduleId) && Skip(ref events, "messages/events"))
        {
            if (events.IsEmpty)
            {
                return new DeviceTopic(DeviceTopicKind.Telemetry);
            }

            return events[0] == '/' ? new DeviceTopic(DeviceTopicKind.Telemetry, topic.AsMemory(topic.Length - events.Length + 1)) : default;
        }

        if (topic.StartsWith(TwinGetPrefix, StringComparison.Ordinal))
        {
            return RequestId(topic.AsSpan(TwinGetPrefix.Length)) is { } rid ? new DeviceTopic(DeviceTopicKind.TwinGet, RequestId: rid) : default;
        }

        if (topic.StartsWith(TwinPatchReportedPrefix, StringComparison.Ordinal))
        {
            return RequestId(topic.AsSpan(TwinPatchReportedPrefix.Length)) is { } rid
                ? new DeviceTopic(DeviceTopicKind.TwinPatchReported, topic.AsMemory(TwinPatchReportedPrefix.Length), rid)
                : default;
        }

        if (topic.StartsWith(MethodResponsePrefix, StringComparison.Ordinal))
        {
            var rest = topic.AsSpan(MethodResponsePrefix.Length);
            var slash = rest.IndexOf('/');
            if (slash > 0 && int.TryParse(rest[..slash], out var status) && RequestId(rest[(slash + 1)..]) is { } rid)
            {
                return new DeviceTopic(DeviceTopicKind.MethodResponse, RequestId: rid, Status: status);
            }
        }

        return default;
    }

    /// <summary>The QoS granted for a filter, or 0x80 (failure) for one this identity may not hold. QoS 2 is granted as 1.</summary>
    public static byte Grant(string filter, byte requestedQos, string deviceId, string? moduleId)
    {
        var granted = Math.Min(requestedQos, (byte)1);
        if (SharedFilters.Contains(filter, StringComparer.Ordinal))
        {
            return granted;
        }

        if (moduleId is null)
        {
            return filter == $"devices/{deviceId}/messages/devicebound/#" ? granted : (byte)0x80;
        }

        var prefix = IdentityPrefix(deviceId, moduleId);
        return filter == prefix + "inputs/#" || filter == prefix + "#" ? granted : (byte)0x80;
    }

    /// <summary>
    /// Whether a server-to-device topic falls under a subscribed filter. Every filter the gateway grants ends in
    /// <c>/#</c>, so matching is a prefix test.
    /// </summary>
    public static bool Matches(string filter, string topic) =>
        filter.EndsWith("/#", StringComparison.Ordinal) && topic.StartsWith(filter.AsSpan(0, filter.Length - 1), StringComparison.Ordinal);

    /// <summary><c>$iothub/twin/res/{status}/?$rid={rid}[&amp;$version={v}]</c>: <c>$rid</c> first and the slash before <c>?</c> are load-bearing (as the SDKs parse it; IoT Hub docs "Communicate with an IoT hub using the MQTT protocol", device twins).</summary>
    public static string TwinResponse(int status, string requestId, long? version = null) =>
        version is null ? $"$iothub/twin/res/{status}/?$rid={requestId}" : $"$iothub/twin/res/{status}/?$rid={requestId}&$version={version}";

    public const string DesiredFilter = "$iothub/twin/PATCH/properties/desired/#";

    /// <summary><c>$iothub/methods/POST/{name}/?$rid={rid}</c>: <c>$rid</c> is the only parameter and nothing follows it (IoT Hub docs "Communicate with an IoT hub using the MQTT protocol", "Respond to a direct method").</summary>
    public static string MethodRequest(string methodName, string requestId) => $"$iothub/methods/POST/{methodName}/?$rid={requestId}";

    /// <summary><c>$iothub/twin/PATCH/properties/desired/?$version={v}</c> (IoT Hub docs "Communicate with an IoT hub using the MQTT protocol", "Receiving desired properties update notifications").</summary>
    public static string DesiredPatch(long version) => $"$iothub/twin/PATCH/properties/desired/?$version={version}";

    /// <summary>
    /// <c>devices/{d}/messages/devicebound/{bag}</c> with every byte outside the unreserved set percent-encoded in upper
    /// case, system properties first as <c>%24.…</c>, never a raw <c>/</c>, <c>+</c> or <c>#</c> (IoT Hub docs "Communicate with an IoT hub using the MQTT protocol", "Receiving cloud-to-device messages").
    /// </summary>
    public static string CloudToDevice(string deviceId, IEnumerable<KeyValuePair<string, string?>> systemProperties, IEnumerable<KeyValuePair<string, string>> applicationProperties)
    {
        // Written into one pooled buffer: the query of iterators, lambdas and a string per item this replaced cost
        // about 1.6 KB a message (bench/micro.sh, PropertyBagBenchmarks).
        var topic = new DefaultInterpolatedStringHandler(0, 0);
        topic.AppendLiteral("devices/");
        topic.AppendFormatted(deviceId);
        topic.AppendLiteral("/messages/devicebound/");
        foreach (var (key, value) in systemProperties)
        {
            if (value is not null)
            {
                topic.AppendLiteral("%24.");
                topic.AppendFormatted(Uri.EscapeDataString(key));
                topic.AppendLiteral("=");
                topic.AppendFormatted(Uri.EscapeDataString(value));
                topic.AppendLiteral("&");
            }
        }

        topic.AppendLiteral("iothub-ack=none");
        foreach (var (key, value) in applicationProperties)
        {
            topic.AppendLiteral("&");
            topic.AppendFormatted(Uri.EscapeDataString(key));
            topic.AppendLiteral("=");
            topic.AppendFormatted(Uri.EscapeDataString(value));
        }

        return topic.ToStringAndClear();
    }

    /// <summary>The version precondition of a reported patch: <c>&amp;$version={v}</c> after the request id.</summary>
    public static long? VersionParameter(ReadOnlySpan<char> query)
    {
        query = query.TrimStart('?');
        foreach (var range in query.Split('&'))
        {
            var item = query[range];
            if (item.StartsWith("$version=", StringComparison.Ordinal) && long.TryParse(item[9..], out var version))
            {
                return version;
            }
        }

        return null;
    }

    /// <summary>Moves past <c>devices/{deviceId}/</c> or <c>devices/{deviceId}/modules/{moduleId}/</c>, as <see cref="IdentityPrefix"/> spells it.</summary>
    private static bool SkipIdentity(ref ReadOnlySpan<char> topic, string deviceId, string? moduleId) =>
        Skip(ref topic, "devices/") && Skip(ref topic, deviceId) && Skip(ref topic, "/")
        && (moduleId is null || (Skip(ref topic, "modules/") && Skip(ref topic, moduleId) && Skip(ref topic, "/")));

    private static bool Skip(ref ReadOnlySpan<char> text, ReadOnlySpan<char> prefix)
    {
        if (!text.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        text = text[prefix.Length..];
        return true;
    }

    /// <summary>Extracts <c>$rid</c> from <c>?$rid=…[&amp;…]</c>, verbatim.</summary>
    private static string? RequestId(ReadOnlySpan<char> query)
    {
        if (!query.StartsWith("?"))
        {
            return null;
        }

        foreach (var range in query[1..].Split('&'))
        {
            var item = query[1..][range];
            if (item.StartsWith("$rid="))
            {
                var rid = item[5..];
                return rid.IsEmpty ? null : rid.ToString();
            }
        }

        return null;
    }
}
