using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Centrum.Edge.Downstream;
using Centrum.Security;

namespace Centrum.Edge.Upstream;

/// <summary>
/// The edge's HTTPS calls to the cloud's IoT Hub registry, on the hub host name: its own module identity
/// (<c>GET /devices/{edge}/modules/$edgeHub</c>, as the IoT Edge identity service reads it, authenticated with the
/// edge device's SAS token; Azure/iot-identity-service <c>aziot-cloud-client-async/src/hub/mod.rs</c>) and the device
/// scope (<c>POST …/modules/$edgeHub/devicesAndModulesInTargetDeviceScope</c>, paged by <c>continuationLink</c>,
/// authenticated with the <c>$edgeHub</c> token, as Azure/iotedge <c>NestedDeviceScopeApiClient.cs</c> makes it).
/// </summary>
internal sealed class CloudRegistryClient(HttpClient http, EdgeOptions edge, UpstreamOptions upstream, TimeProvider time)
{
    public const string EdgeHubModule = "$edgeHub";

    /// <summary>The page size IoT Edge's hub asks for (Azure/iotedge <c>CommonModule.cs</c>).</summary>
    private const int PageSize = 10;

    /// <summary>Pages read in one refresh: 100,000 identities, far above IoT Central's devices per gateway; a cloud that keeps paging is cut off.</summary>
    private const int MaxPages = 10_000;

    private static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(1);

    /// <summary>The <c>$edgeHub</c> module's primary key, which signs the edge's upstream connections on behalf of its clients.</summary>
    /// <remarks>
    /// IoT Hub creates <c>$edgeAgent</c> and <c>$edgeHub</c> with an IoT Edge device; where the cloud has not (yet), the
    /// edge creates <c>$edgeHub</c> itself with a PUT without <c>If-Match</c>, as the identity service creates a module.
    /// </remarks>
    public async Task<string> EdgeHubKeyAsync(CancellationToken cancellationToken)
    {
        var path = $"/devices/{Uri.EscapeDataString(edge.DeviceId)}/modules/{EdgeHubModule}?api-version=2017-11-08-preview";
        using var read = Request(HttpMethod.Get, path, DeviceToken());
        using var response = await http.SendAsync(read, cancellationToken).ConfigureAwait(false);
        HttpResponseMessage? created = null;
        try
        {
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                using var create = Request(HttpMethod.Put, path, DeviceToken());
                create.Content = JsonContent.Create(new JsonObject { ["moduleId"] = EdgeHubModule, ["deviceId"] = edge.DeviceId });
                created = await http.SendAsync(create, cancellationToken).ConfigureAwait(false);
            }

            var answer = created ?? response;
            await EnsureAsync(answer, "read the $edgeHub module identity", cancellationToken).ConfigureAwait(false);
            var module = await answer.Content.ReadFromJsonAsync<JsonObject>(cancellationToken).ConfigureAwait(false);
            return (string?)module?["authentication"]?["symmetricKey"]?["primaryKey"]
                ?? throw new CloudRefusedException("The cloud's $edgeHub module identity carries no symmetric key.");
        }
        finally
        {
            created?.Dispose();
        }
    }

    /// <summary>Every device and module in the edge's scope, with their keys, read page by page.</summary>
    public async Task<IReadOnlyList<ScopeIdentity>> ScopeAsync(string edgeHubKey, CancellationToken cancellationToken)
    {
        var identities = new List<ScopeIdentity>();
        string? continuation = null;
        for (var page = 0; page < MaxPages; page++)
        {
            var body = new JsonObject { ["pageSize"] = PageSize, ["authChain"] = edge.DeviceId };
            if (continuation is not null)
            {
                body["continuationLink"] = continuation;
            }

            using var request = Request(
                HttpMethod.Post,
                $"/devices/{Uri.EscapeDataString(edge.DeviceId)}/modules/{EdgeHubModule}/devicesAndModulesInTargetDeviceScope?api-version=2020-06-30-preview",
                EdgeHubToken(edgeHubKey));
            request.Content = JsonContent.Create(body);
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            await EnsureAsync(response, "read the device scope", cancellationToken).ConfigureAwait(false);
            var result = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken).ConfigureAwait(false);
            foreach (var device in result?["devices"]?.AsArray() ?? [])
            {
                if (Identity(device, moduleId: null) is { } identity)
                {
                    identities.Add(identity);
                }
            }

            foreach (var module in result?["modules"]?.AsArray() ?? [])
            {
                if ((string?)module?["moduleId"] is { Length: > 0 } moduleId && Identity(module, moduleId) is { } identity)
                {
                    identities.Add(identity);
                }
            }

            continuation = (string?)result?["continuationLink"];
            if (string.IsNullOrWhiteSpace(continuation))
            {
                return identities;
            }
        }

        throw new CloudRefusedException($"The device scope did not end within {MaxPages} pages.");
    }

    /// <summary>The token the edge's hub signs its on-behalf-of connections with (Azure/iotedge <c>SasTokenHelper.cs</c>).</summary>
    public string EdgeHubToken(string edgeHubKey) => SharedAccessSignature.Create(
        $"{edge.HubHostName}/devices/{edge.DeviceId}/modules/{EdgeHubModule}", Convert.FromBase64String(edgeHubKey), Expiry());

    /// <summary>
    /// A scope identity from IoT Hub's registry JSON (Azure/azure-iot-sdk-csharp <c>Device.cs</c>, <c>Module.cs</c>):
    /// SAS identities with both keys; modules are always enabled (Azure/iotedge <c>ServiceIdentityHelpers.cs</c>).
    /// </summary>
    private static ScopeIdentity? Identity(JsonNode? node, string? moduleId)
    {
        if ((string?)node?["deviceId"] is not { Length: > 0 } deviceId
            || (string?)node["authentication"]?["type"] != "sas"
            || (string?)node["authentication"]?["symmetricKey"]?["primaryKey"] is not { } primary
            || (string?)node["authentication"]?["symmetricKey"]?["secondaryKey"] is not { } secondary)
        {
            return null;
        }

        var enabled = moduleId is not null || (string?)node["status"] == "enabled";
        return new ScopeIdentity(deviceId, moduleId, primary, secondary, enabled);
    }

    private string DeviceToken() => SharedAccessSignature.Create(
        $"{edge.HubHostName}/devices/{edge.DeviceId}", Convert.FromBase64String(upstream.SharedAccessKey), Expiry());

    private long Expiry() => (time.GetUtcNow() + TokenLifetime).ToUnixTimeSeconds();

    private HttpRequestMessage Request(HttpMethod method, string pathAndQuery, string token)
    {
        var host = upstream.GatewayHostName is { Length: > 0 } gateway ? gateway : edge.HubHostName;
        var request = new HttpRequestMessage(method, new Uri($"https://{host}:{upstream.HttpsPort}{pathAndQuery}"));
        // The hub host name picks the application, whichever address was dialed (as a connection string's GatewayHostName does).
        request.Headers.Host = upstream.HttpsPort == 443 ? edge.HubHostName : $"{edge.HubHostName}:{upstream.HttpsPort}";
        request.Headers.TryAddWithoutValidation("Authorization", token);
        return request;
    }

    private static async Task EnsureAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var detail = text.Length > 512 ? text[..512] : text;
        throw response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound
            ? new CloudRefusedException($"The cloud refused to {what}: {(int)response.StatusCode} {detail}")
            : new HttpRequestException($"The cloud could not {what}: {(int)response.StatusCode} {detail}", null, response.StatusCode);
    }
}
