namespace Centrum.IotHub;

/// <summary>
/// The CONNECT user name <c>{hubHost}/{deviceId}[/{moduleId}]/?{query}</c> (IoT Hub docs "Communicate with an IoT hub using the MQTT protocol", "Using the MQTT protocol directly").
/// <see cref="AuthChain"/> is the <c>auth-chain</c> an IoT Edge hub adds when it connects on behalf of a downstream
/// device or module: the identities from the client up to the edge device, <c>;</c>-separated (Azure/azure-iot-sdk-csharp
/// <c>iothub/device/src/Transport/Mqtt/MqttIotHubAdapter.cs</c>, <c>ConnectAsync</c>).
/// </summary>
internal sealed record HubUserName(string HostName, string DeviceId, string? ModuleId, string? ModelId, string? ApiVersion, string? ClientType, string? AuthChain = null)
{
    public static HubUserName? Parse(string? userName)
    {
        if (string.IsNullOrEmpty(userName))
        {
            return null;
        }

        var question = userName.IndexOf('?', StringComparison.Ordinal);
        var path = (question < 0 ? userName : userName[..question]).TrimEnd('/');
        var segments = path.Split('/');
        if (segments.Length is < 2 or > 3 || segments.Any(string.IsNullOrEmpty))
        {
            return null;
        }

        string? modelId = null, apiVersion = null, clientType = null, authChain = null;
        if (question >= 0)
        {
            foreach (var item in userName[(question + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = item.IndexOf('=', StringComparison.Ordinal);
                var key = PercentEncoding.Decode(eq < 0 ? item : item[..eq]);
                var value = eq < 0 ? null : PercentEncoding.Decode(item[(eq + 1)..]);
                switch (key)
                {
                    case "model-id": modelId = value; break;
                    case "api-version": apiVersion = value; break;
                    case "DeviceClientType": clientType = value; break;
                    case "auth-chain": authChain = value; break;
                }
            }
        }

        return new HubUserName(segments[0], segments[1], segments.Length == 3 ? segments[2] : null, modelId, apiVersion, clientType, authChain);
    }
}
