using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Devices;

namespace Centrum.Api.Devices;

/// <summary>IoT Central's <c>Device</c> body, read strictly: unknown fields and wrong types are refused with the field's name.</summary>
internal static class DeviceJson
{
    private static readonly HashSet<string> ReadOnly = ["id", "etag", "provisioned", "lastConnectTime", "lastDisconnectTime", "connected", "modelId"];
    private static readonly HashSet<string> Writable = ["displayName", "template", "enabled", "simulated", "organizations", "approved", "type"];

    public static object ToResponse(Device device, bool connected) => new
    {
        id = device.Id,
        etag = device.ETag,
        displayName = device.DisplayName,
        template = device.Template,
        enabled = device.Enabled,
        provisioned = device.Provisioned,
        simulated = device.Simulated,
        organizations = device.Organizations,
        approved = device.Approved,
        modelId = device.ModelId,
        connected,
        lastConnectTime = device.LastConnectTime,
        lastDisconnectTime = device.LastDisconnectTime,
        type = device.IotEdge ? EdgeType : null,
    };

    /// <summary>The 2022-10-31-preview <c>Device.type</c> of an IoT Edge device; other devices have none.</summary>
    private static readonly string[] EdgeType = ["iotEdge"];

    /// <summary>Reads a PUT body (full document: absent fields take their defaults) or a PATCH body (merge patch over <paramref name="current"/>).</summary>
    public static bool TryRead(JsonNode? body, string deviceId, DeviceWrite current, bool patch, out DeviceWrite write, out string? etag, out string? error)
    {
        write = current;
        etag = null;
        error = null;
        if (body is not JsonObject obj)
        {
            error = "The request body must be a JSON object.";
            return false;
        }

        var result = patch ? current : new DeviceWrite(null, null, Enabled: true, Simulated: false, [], current.Approved);
        foreach (var (name, value) in obj)
        {
            if (!Writable.Contains(name) && !ReadOnly.Contains(name))
            {
                error = $"Unknown field '{name}' in the device body.";
                return false;
            }

            switch (name)
            {
                case "id" when value is not null && (value.GetValueKind() != JsonValueKind.String || value.GetValue<string>() != deviceId):
                    error = "Field 'id' must match the device id in the path.";
                    return false;
                case "etag":
                    if (value is not null && value.GetValueKind() != JsonValueKind.String)
                    {
                        error = "Field 'etag' must be a string.";
                        return false;
                    }

                    etag = value?.GetValue<string>();
                    break;
                case "displayName":
                    if (!TryString(value, name, out var displayName, out error))
                    {
                        return false;
                    }

                    result = result with { DisplayName = displayName };
                    break;
                case "template":
                    if (!TryString(value, name, out var template, out error))
                    {
                        return false;
                    }

                    result = result with { Template = template };
                    break;
                case "enabled":
                    if (!TryBool(value, name, out var enabled, out error))
                    {
                        return false;
                    }

                    result = result with { Enabled = enabled };
                    break;
                case "approved":
                    if (!TryBool(value, name, out var approved, out error))
                    {
                        return false;
                    }

                    result = result with { Approved = approved };
                    break;
                case "simulated":
                    if (!TryBool(value, name, out var simulated, out error))
                    {
                        return false;
                    }

                    result = result with { Simulated = simulated };
                    break;
                case "type":
                    if (value is not null && (value is not JsonArray types
                        || types.Any(t => t is null || t.GetValueKind() != JsonValueKind.String || t.GetValue<string>() != "iotEdge")))
                    {
                        error = "Field 'type' must be an array of device types ('iotEdge').";
                        return false;
                    }

                    result = result with { IotEdge = value is JsonArray { Count: > 0 } };
                    break;
                case "organizations":
                    if (value is null)
                    {
                        result = result with { Organizations = [] };
                        break;
                    }

                    if (value is not JsonArray array || array.Any(o => o is null || o.GetValueKind() != JsonValueKind.String))
                    {
                        error = "Field 'organizations' must be an array of organization ids.";
                        return false;
                    }

                    result = result with { Organizations = array.Select(o => o!.GetValue<string>()).ToList() };
                    break;
            }
        }

        if (result.DisplayName?.Length > 200)
        {
            error = "Field 'displayName' is longer than 200 characters.";
            return false;
        }

        write = result;
        return true;
    }

    private static bool TryString(JsonNode? value, string name, out string? result, out string? error)
    {
        result = null;
        error = null;
        if (value is null)
        {
            return true;
        }

        if (value.GetValueKind() != JsonValueKind.String)
        {
            error = $"Field '{name}' must be a string.";
            return false;
        }

        result = value.GetValue<string>();
        return true;
    }

    private static bool TryBool(JsonNode? value, string name, out bool result, out string? error)
    {
        result = false;
        error = null;
        if (value is null || value.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
        {
            error = $"Field '{name}' must be true or false.";
            return false;
        }

        result = value.GetValue<bool>();
        return true;
    }
}
