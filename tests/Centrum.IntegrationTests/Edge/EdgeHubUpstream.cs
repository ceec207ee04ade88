using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Centrum.Security;
using MQTTnet;

namespace Centrum.IntegrationTests.Edge;

/// <summary>
/// Speaks upstream as the Azure IoT Edge hub does over MQTT (<c>UpstreamProtocol=Mqtt</c>), since that runtime cannot run
/// here. It follows Azure/iotedge @ 55353a649ea9d624a684428fab2d925a81bcda07 and Azure/azure-iot-sdk-csharp @
/// 6097889d2afdd19f815053479bf0a60a982d466e:
/// <list type="bullet">
/// <item>the token: <c>edge-util/src/Microsoft.Azure.Devices.Edge.Util/SasTokenHelper.cs</c> (<c>BuildAudience</c>,
/// <c>BuildSasToken</c>) as <c>edge-hub/core/src/Microsoft.Azure.Devices.Edge.Hub.Service/modules/CommonModule.cs</c>'s
/// <c>EdgeHubClientAuthTokenProvider</c> uses it: the <c>$edgeHub</c> module's key over
/// <c>UrlEncode("{hub}/devices/{UrlEncode(edge)}/modules/{UrlEncode("$edgeHub")}")</c>;</item>
/// <item>one connection per client: <c>edge-hub/core/src/Microsoft.Azure.Devices.Edge.Hub.CloudProxy/CloudConnectionProvider.cs</c>,
/// <c>DeviceAuthentication.cs</c> and <c>ModuleAuthentication.cs</c> (the client's identity, the hub's token);</item>
/// <item>the auth chain: <c>edge-hub/core/src/Microsoft.Azure.Devices.Edge.Hub.Core/ServiceIdentityTree.cs</c>
/// (<c>GetAuthChain</c>: the client, then its parent);</item>
/// <item>client id and user name: <c>iothub/device/src/Transport/Mqtt/MqttIotHubAdapter.cs</c> (<c>ConnectAsync</c>) of the
/// C# device SDK, api-version <c>2020-09-30</c> (<c>iothub/device/src/Common/Api/ClientApiVersionHelper.cs</c>).</item>
/// </list>
/// The <c>$edgeHub</c> key is read as the IoT Edge identity service reads module keys: through IoT Hub's device-scope
/// registry call with the edge device's token.
/// </summary>
internal static class EdgeHubUpstream
{
    private const string ProductInfo = "Microsoft.Azure.Devices.Client/1.43.0-edgeLts (.NET; Linux; X64)";

    /// <summary>SasTokenHelper: <c>WebUtility.UrlEncode</c> over the audience whose id segments are already encoded once.</summary>
    public static string ClientToken(string hubHost, string edgeId, string edgeHubKey, TimeSpan? validFor = null, string moduleId = "$edgeHub")
    {
        var audience = WebUtility.UrlEncode($"{hubHost}/devices/{WebUtility.UrlEncode(edgeId)}/modules/{WebUtility.UrlEncode(moduleId)}");
        var expiry = DateTimeOffset.UtcNow.Add(validFor ?? TimeSpan.FromHours(1)).ToUnixTimeSeconds();
        var signature = Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(edgeHubKey), Encoding.UTF8.GetBytes($"{audience}\n{expiry}")));
        return $"SharedAccessSignature sr={audience}&sig={WebUtility.UrlEncode(signature)}&se={expiry}";
    }

    /// <summary>
    /// The token of <c>EdgeHubServiceAuthTokenProvider</c> (CommonModule.cs), which the scope calls carry: the provider is
    /// given the ids already encoded, so SasTokenHelper encodes them twice more (<c>%252524edgeHub</c>).
    /// </summary>
    public static string ServiceToken(string hubHost, string edgeId, string edgeHubKey, TimeSpan? validFor = null) =>
        ClientToken(hubHost, WebUtility.UrlEncode(edgeId), edgeHubKey, validFor, WebUtility.UrlEncode("$edgeHub"));

    /// <summary>The MQTT options of the connection the hub opens for <paramref name="clientId"/> (a device, or <c>{edge}/{module}</c>).</summary>
    public static MqttClientOptions Options(CentrumServer server, string clientId, string authChain, string token)
    {
        var userName = $"{server.HubHostName}/{clientId}/?api-version=2020-09-30&DeviceClientType={Uri.EscapeDataString(ProductInfo)}&auth-chain={Uri.EscapeDataString(authChain)}";
        return MqttDevice.Options(server, clientId, userName, token, cleanSession: false);
    }

    /// <summary>The edge device's <c>$edgeHub</c> primary key, from <c>GET /devices/{edge}/modules/$edgeHub</c> on the hub host.</summary>
    public static async Task<string> EdgeHubKeyAsync(CentrumServer server, string edgeId, string edgeKey)
    {
        using var http = server.Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"devices/{edgeId}/modules/%24edgeHub?api-version=2017-11-08-preview");
        request.Headers.Host = server.HubHostName;
        request.Headers.TryAddWithoutValidation("Authorization",
            SharedAccessSignature.Create($"{server.HubHostName}/devices/{edgeId}", Convert.FromBase64String(edgeKey), DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds()));
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return (string)JsonNode.Parse(text)!["authentication"]!["symmetricKey"]!["primaryKey"]!;
    }
}
