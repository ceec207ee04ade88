using System.Net;

namespace Centrum.Gateway.Amqp;

internal enum AmqpNodeKind
{
    Unknown,
    Cbs,
    Telemetry,
    CloudToDevice,
    Methods,
    Twin,
}

/// <summary>
/// A link's node address in IoT Hub's AMQP dialect: <c>$cbs</c> and <c>/devices/{d}[/modules/{m}]/…</c>, relative
/// (Node SDK, azure-iot-sdk-node <c>common/core/src/endpoint.ts</c>) or absolute <c>amqps://{host}/devices/…</c> (C# SDK,
/// <c>IotHubConnectionString.BuildLinkAddress</c>); the path matches case-insensitively (C# says <c>deviceBound</c>,
/// Node <c>devicebound</c>) and the ids are URL-encoded (<c>WebUtility.UrlEncode</c>).
/// </summary>
internal readonly record struct AmqpAddress(AmqpNodeKind Kind, string? DeviceId, string? ModuleId)
{
    /// <summary>Longest address looked at: a device id and a module id of 128 characters, encoded, fit well inside.</summary>
    public const int MaxLength = 2048;

    public static readonly AmqpAddress Unknown = new(AmqpNodeKind.Unknown, null, null);

    public string? ClientId => DeviceId is null ? null : ModuleId is null ? DeviceId : $"{DeviceId}/{ModuleId}";

    public static AmqpAddress Parse(string? address)
    {
        if (string.IsNullOrEmpty(address) || address.Length > MaxLength)
        {
            return Unknown;
        }

        var path = address;
        if (address.StartsWith("amqps://", StringComparison.OrdinalIgnoreCase) || address.StartsWith("amqp://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(address, UriKind.Absolute, out var uri))
            {
                return Unknown;
            }

            path = uri.AbsolutePath;
        }

        path = path.Trim('/');
        if (string.Equals(path, "$cbs", StringComparison.OrdinalIgnoreCase))
        {
            return new AmqpAddress(AmqpNodeKind.Cbs, null, null);
        }

        // devices/{d}/{rest…} or devices/{d}/modules/{m}/{rest…}: at most seven segments, so the split is bounded.
        var segments = path.Split('/', 8);
        if (segments.Length < 3 || !segments[0].Equals("devices", StringComparison.OrdinalIgnoreCase) || segments[1].Length == 0)
        {
            return Unknown;
        }

        var deviceId = Decode(segments[1]);
        string? moduleId = null;
        var rest = 2;
        if (segments.Length >= 5 && segments[2].Equals("modules", StringComparison.OrdinalIgnoreCase) && segments[3].Length > 0)
        {
            moduleId = Decode(segments[3]);
            rest = 4;
        }

        if (deviceId is null || (moduleId is null && rest == 4))
        {
            return Unknown;
        }

        var kind = (segments.Length - rest) switch
        {
            1 when segments[rest].Equals("twin", StringComparison.OrdinalIgnoreCase) => AmqpNodeKind.Twin,
            2 when segments[rest].Equals("messages", StringComparison.OrdinalIgnoreCase) && segments[rest + 1].Equals("events", StringComparison.OrdinalIgnoreCase) => AmqpNodeKind.Telemetry,
            2 when segments[rest].Equals("messages", StringComparison.OrdinalIgnoreCase) && segments[rest + 1].Equals("devicebound", StringComparison.OrdinalIgnoreCase) => AmqpNodeKind.CloudToDevice,
            2 when segments[rest].Equals("methods", StringComparison.OrdinalIgnoreCase) && segments[rest + 1].Equals("devicebound", StringComparison.OrdinalIgnoreCase) => AmqpNodeKind.Methods,
            _ => AmqpNodeKind.Unknown,
        };
        return kind == AmqpNodeKind.Unknown ? Unknown : new AmqpAddress(kind, deviceId, moduleId);
    }

    /// <summary>The SAS token's <c>sr</c> as IoT Hub scopes device tokens: <c>{host}/devices/{d}[/modules/{m}]</c>.</summary>
    public static (string Host, string DeviceId, string? ModuleId)? ParseTokenResource(string resource)
    {
        if (resource.Length > MaxLength)
        {
            return null;
        }

        var segments = resource.TrimEnd('/').Split('/', 6);
        if (segments.Length is not (3 or 5) || segments[0].Length == 0 || !segments[1].Equals("devices", StringComparison.OrdinalIgnoreCase)
            || segments[2].Length == 0 || (segments.Length == 5 && (!segments[3].Equals("modules", StringComparison.OrdinalIgnoreCase) || segments[4].Length == 0)))
        {
            return null;
        }

        var deviceId = Decode(segments[2]);
        var moduleId = segments.Length == 5 ? Decode(segments[4]) : null;
        return deviceId is null || (segments.Length == 5 && moduleId is null) ? null : (segments[0], deviceId, moduleId);
    }

    private static string? Decode(string segment)
    {
        var decoded = WebUtility.UrlDecode(segment);
        return string.IsNullOrEmpty(decoded) || decoded.Contains('/', StringComparison.Ordinal) ? null : decoded;
    }
}
