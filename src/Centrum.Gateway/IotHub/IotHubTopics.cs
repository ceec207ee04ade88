namespace Centrum.Gateway.IotHub;

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
internal readonly record struct DeviceTopic(DeviceTopicKind Kind, string Bag = "", string? RequestId = null, int Status = 0);

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
        var events = IdentityPrefix(deviceId, moduleId) + "messages/events";
        if (topic.StartsWith(events, StringComparison.Ordinal))
        {
            var rest = topic.AsSpan(events.Length);
            if (rest.IsEmpty)
            {
                return new DeviceTopic(DeviceTopicKind.Telemetry);
            }

            return rest[0] == '/' ? new DeviceTopic(DeviceTopicKind.Telemetry, rest[1..].ToString()) : default;
        }

        if (topic.StartsWith(TwinGetPrefix, StringComparison.Ordinal))
        {
            return RequestId(topic.AsSpan(TwinGetPrefix.Length)) is { } rid ? new DeviceTopic(DeviceTopicKind.TwinGet, RequestId: rid) : default;
        }

        if (topic.StartsWith(TwinPatchReportedPrefix, StringComparison.Ordinal))
        {
            return RequestId(topic.AsSpan(TwinPatchReportedPrefix.Length)) is { } rid
                ? new DeviceTopic(DeviceTopicKind.TwinPatchReported, topic[TwinPatchReportedPrefix.Length..], rid)
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
        var items = systemProperties.Where(p => p.Value is not null).Select(p => $"%24.{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value!)}")
            .Append("iothub-ack=none")
            .Concat(applicationProperties.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
        return $"devices/{deviceId}/messages/devicebound/" + string.Join('&', items);
    }

    /// <summary>The version precondition of a reported patch: <c>&amp;$version={v}</c> after the request id.</summary>
    public static long? VersionParameter(string query)
    {
        foreach (var item in query.TrimStart('?').Split('&'))
        {
            if (item.StartsWith("$version=", StringComparison.Ordinal) && long.TryParse(item.AsSpan(9), out var version))
            {
                return version;
            }
        }

        return null;
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
