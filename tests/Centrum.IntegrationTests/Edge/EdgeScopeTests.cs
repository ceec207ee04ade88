using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Centrum.Security;

namespace Centrum.IntegrationTests.Edge;

/// <summary>
/// The IoT Edge hub's scope calls and the generation ids they carry, spoken as Azure/iotedge @
/// 55353a649ea9d624a684428fab2d925a81bcda07 speaks them (the runtime cannot run here):
/// <list type="bullet">
/// <item><c>edge-hub/core/src/Microsoft.Azure.Devices.Edge.Hub.CloudProxy/NestedDeviceScopeApiClient.cs</c>: the two
/// POSTs, api-version <c>2020-06-30-preview</c>, the <c>Authorization</c> header, the body as
/// <c>…Hub.Core/NestedScopeRequest.cs</c> and <c>IdentityOnBehalfOfRequest.cs</c> serialise it, the next page asked
/// with the previous answer's <c>continuationLink</c> in the body;</item>
/// <item><c>…CloudProxy/ServiceProxy.cs</c> (<c>NestedServiceIdentitiesIterator</c>, <c>GetServiceIdentity</c>): paging
/// while the link is not blank, a downstream IoT Edge device listed with its own auth chain, 400 read as "not in
/// scope";</item>
/// <item><c>…CloudProxy/ScopeResult.cs</c> and <c>ServiceIdentityHelpers.cs</c> for the answer (capabilities and
/// authentication present, <c>status</c> <c>enabled</c>, keys), <c>…Hub.Core/DeviceScopeIdentitiesCache.cs</c> for the
/// scope string <c>ms-azure-iot-edge://{id}-{generationId}</c>;</item>
/// <item>the token: <c>…Hub.Service/modules/CommonModule.cs</c>'s <c>EdgeHubServiceAuthTokenProvider</c> with
/// <c>edge-util/src/Microsoft.Azure.Devices.Edge.Util/SasTokenHelper.cs</c> (segments encoded three times), besides
/// the client token (twice) and Azure/iot-identity-service <c>identity/aziot-cloud-client-async/src/connector.rs</c>'s
/// lowercased resource.</item>
/// </list>
/// </summary>
public class EdgeScopeTests : IClassFixture<SharedServer>
{
    private const string ScopeApi = "api-version=2020-06-30-preview";

    private readonly SharedServer _shared;

    private readonly MetadataStore _store;

    public EdgeScopeTests(SharedServer shared)
        : this(MetadataStore.Sqlite, shared)
    {
    }

    protected EdgeScopeTests(MetadataStore store, SharedServer shared)
    {
        _store = store;
        _shared = shared;
    }

    [Fact]
    public async Task Edge_hub_pages_through_its_scope_the_edge_device_its_modules_and_its_downstream_devices_with_keys_and_scopes()
    {
        var server = await _shared.GetAsync(_store);
        var admin = server.AdminHttp();
        var edgeKey = await admin.CreateDeviceAsync("sc-gw", """{"type":["iotEdge"]}""");
        var leafKeys = new Dictionary<string, string>();
        for (var i = 0; i < 12; i++)
        {
            var id = $"sc-leaf-{i:D2}";
            leafKeys[id] = await admin.CreateDeviceAsync(id);
            await RelateAsync(admin, "sc-gw", id);
        }

        await admin.CreateDeviceAsync("sc-stranger");
        var edgeHubKey = await EdgeHubUpstream.EdgeHubKeyAsync(server, "sc-gw", edgeKey);
        var token = EdgeHubUpstream.ServiceToken(server.HubHostName, "sc-gw", edgeHubKey);

        // edgeHub's loop: the same URL, the link of the previous answer in the body, until the link is blank.
        var devices = new List<JsonNode>();
        var modules = new List<JsonNode>();
        string? link = null;
        var pages = 0;
        do
        {
            Assert.True(++pages <= 10, "the scope ends within a bounded number of pages");
            var body = new JsonObject { ["pageSize"] = 10, ["authChain"] = "sc-gw" };
            if (link is not null)
            {
                body["continuationLink"] = link;
            }

            var (status, page) = await PostAsync(server, "sc-gw", "devicesAndModulesInTargetDeviceScope", token, body);
            Assert.True(status == HttpStatusCode.OK, page?.ToJsonString());
            Assert.True(page!["devices"]!.AsArray().Count + page["modules"]!.AsArray().Count <= 10, page.ToJsonString());
            devices.AddRange(page["devices"]!.AsArray()!);
            modules.AddRange(page["modules"]!.AsArray()!);
            link = (string?)page["continuationLink"];
        }
        while (!string.IsNullOrWhiteSpace(link));

        Assert.Equal(2, pages);
        var edge = devices.Single(d => (string?)d!["deviceId"] == "sc-gw")!;
        var generation = (string)edge["generationId"]!;
        var scope = $"ms-azure-iot-edge://sc-gw-{generation}";
        Assert.True((bool)edge["capabilities"]!["iotEdge"]!);
        Assert.Equal(scope, (string?)edge["deviceScope"]);
        Assert.Empty(edge["parentScopes"]!.AsArray());
        Assert.Equal("enabled", (string?)edge["status"]);
        Assert.Equal("sas", (string?)edge["authentication"]!["type"]);
        Assert.Equal(edgeKey, (string?)edge["authentication"]!["symmetricKey"]!["primaryKey"]);

        Assert.Equal(leafKeys.Keys.Order(), devices.Select(d => (string)d!["deviceId"]!).Where(id => id != "sc-gw").Order());
        foreach (var leaf in devices.Where(d => (string?)d!["deviceId"] != "sc-gw"))
        {
            Assert.False((bool)leaf!["capabilities"]!["iotEdge"]!);
            Assert.Equal([scope], leaf["parentScopes"]!.AsArray().Select(s => (string?)s));
            Assert.Equal(scope, (string?)leaf["deviceScope"]);
            Assert.Equal(leafKeys[(string)leaf["deviceId"]!], (string?)leaf["authentication"]!["symmetricKey"]!["primaryKey"]);
            Assert.False(string.IsNullOrEmpty((string?)leaf["generationId"]));
        }

        Assert.Equal(["$edgeAgent", "$edgeHub"], modules.Select(m => (string?)m!["moduleId"]));
        Assert.All(modules, m => Assert.Equal("sc-gw", (string?)m!["deviceId"]));
        Assert.Equal(edgeHubKey, (string?)modules.Single(m => (string?)m!["moduleId"] == "$edgeHub")!["authentication"]!["symmetricKey"]!["primaryKey"]);

        // A page size outside 1..100, a link the hub never gave and a chain that does not end at the caller are refused.
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(server, "sc-gw", "devicesAndModulesInTargetDeviceScope", token, new JsonObject { ["pageSize"] = 1000, ["authChain"] = "sc-gw" })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(server, "sc-gw", "devicesAndModulesInTargetDeviceScope", token, new JsonObject { ["pageSize"] = 10, ["authChain"] = "sc-gw", ["continuationLink"] = "not-a-link" })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(server, "sc-gw", "devicesAndModulesInTargetDeviceScope", token, new JsonObject { ["pageSize"] = 10, ["authChain"] = "sc-stranger;sc-gw" })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(server, "sc-gw", "devicesAndModulesInTargetDeviceScope", token, new JsonObject { ["pageSize"] = 10, ["authChain"] = "other" })).Status);
    }

    [Fact]
    public async Task Edge_hub_without_nested_edge_pages_through_its_scope_at_the_continuation_link_and_gets_one_identity()
    {
        var server = await _shared.GetAsync(_store);
        var admin = server.AdminHttp();
        var edgeKey = await admin.CreateDeviceAsync("lg-gw", """{"type":["iotEdge"]}""");
        for (var i = 0; i < 12; i++)
        {
            await admin.CreateDeviceAsync($"lg-leaf-{i:D2}");
            await RelateAsync(admin, "lg-gw", $"lg-leaf-{i:D2}");
        }

        await admin.CreateDeviceAsync("lg-stranger");
        var token = EdgeHubUpstream.ServiceToken(server.HubHostName, "lg-gw", await EdgeHubUpstream.EdgeHubKeyAsync(server, "lg-gw", edgeKey));

        // DeviceScopeApiClient: the first page with an empty continuationToken, the next at the link, relative to the hub.
        var ids = new List<string>();
        var next = (string?)"/devices/lg-gw/modules/$edgeHub/devicesAndModulesInDeviceScope?deviceCount=10&continuationToken=&api-version=2018-08-30-preview";
        var pages = 0;
        while (!string.IsNullOrWhiteSpace(next))
        {
            Assert.True(++pages <= 10, "the scope ends within a bounded number of pages");
            var (status, page) = await GetAsync(server, next, token);
            Assert.True(status == HttpStatusCode.OK, page?.ToJsonString());
            ids.AddRange(page!["devices"]!.AsArray().Select(d => (string)d!["deviceId"]!));
            ids.AddRange(page["modules"]!.AsArray().Select(m => $"lg-gw/{(string)m!["moduleId"]!}"));
            next = (string?)page["continuationLink"];
        }

        Assert.Equal(2, pages);
        Assert.Equal(["lg-gw", "lg-gw/$edgeAgent", "lg-gw/$edgeHub", .. Enumerable.Range(0, 12).Select(i => $"lg-leaf-{i:D2}")], ids.Order(StringComparer.Ordinal));

        var (found, one) = await GetAsync(server, "/devices/lg-gw/modules/$edgeHub/deviceAndModuleInDeviceScope?targetDeviceId=lg-leaf-03&targetModuleId=&api-version=2018-08-30-preview", token);
        Assert.Equal(HttpStatusCode.OK, found);
        Assert.Equal("lg-leaf-03", (string?)one!["devices"]!.AsArray().Single()!["deviceId"]);
        var (outside, _) = await GetAsync(server, "/devices/lg-gw/modules/$edgeHub/deviceAndModuleInDeviceScope?targetDeviceId=lg-stranger&targetModuleId=&api-version=2018-08-30-preview", token);
        Assert.Equal(HttpStatusCode.BadRequest, outside);
        var (unauthorized, _) = await GetAsync(server, "/devices/lg-gw/modules/$edgeHub/devicesAndModulesInDeviceScope?deviceCount=10&continuationToken=&api-version=2018-08-30-preview", "");
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized);
    }

    [Fact]
    public async Task Edge_hub_gets_one_identity_on_behalf_of_its_edge_device_and_nothing_outside_the_scope()
    {
        var server = await _shared.GetAsync(_store);
        var admin = server.AdminHttp();
        var edgeKey = await admin.CreateDeviceAsync("ob-gw", """{"type":["iotEdge"]}""");
        var otherEdgeKey = await admin.CreateDeviceAsync("ob-gw2", """{"type":["iotEdge"]}""");
        var leafKey = await admin.CreateDeviceAsync("ob-leaf");
        await admin.CreateDeviceAsync("ob-stranger");
        await RelateAsync(admin, "ob-gw", "ob-leaf");
        var token = EdgeHubUpstream.ServiceToken(server.HubHostName, "ob-gw", await EdgeHubUpstream.EdgeHubKeyAsync(server, "ob-gw", edgeKey));
        await EdgeHubUpstream.EdgeHubKeyAsync(server, "ob-gw2", otherEdgeKey);

        // GetEdgeAuthChain("ob-gw/$edgeHub") is the edge device's own chain, "ob-gw".
        var (status, leaf) = await PostAsync(server, "ob-gw", "getDeviceAndModuleOnBehalfOf", token, new JsonObject { ["targetDeviceId"] = "ob-leaf", ["authChain"] = "ob-gw" });
        Assert.True(status == HttpStatusCode.OK, leaf?.ToJsonString());
        var device = leaf!["devices"]!.AsArray().Single()!;
        Assert.Equal("ob-leaf", (string?)device["deviceId"]);
        Assert.Equal(leafKey, (string?)device["authentication"]!["symmetricKey"]!["primaryKey"]);
        Assert.Single(device["parentScopes"]!.AsArray());
        Assert.Empty(leaf["modules"]!.AsArray());

        var (moduleStatus, module) = await PostAsync(server, "ob-gw", "getDeviceAndModuleOnBehalfOf", token,
            new JsonObject { ["targetDeviceId"] = "ob-gw", ["targetModuleId"] = "$edgeAgent", ["authChain"] = "ob-gw" });
        Assert.Equal(HttpStatusCode.OK, moduleStatus);
        Assert.Equal("$edgeAgent", (string?)module!["modules"]!.AsArray().Single()!["moduleId"]);
        Assert.Empty(module["devices"]!.AsArray());

        // Outside the scope: 400, which edgeHub reads as "removed from the scope" (ServiceProxy.GetServiceIdentity).
        foreach (var outside in new[]
        {
            new JsonObject { ["targetDeviceId"] = "ob-stranger", ["authChain"] = "ob-gw" },
            new JsonObject { ["targetDeviceId"] = "ob-gw2", ["authChain"] = "ob-gw" },
            new JsonObject { ["targetDeviceId"] = "ob-gw2", ["targetModuleId"] = "$edgeHub", ["authChain"] = "ob-gw" },
            new JsonObject { ["targetDeviceId"] = "ob-leaf", ["authChain"] = "ob-gw2" },
            new JsonObject { ["targetDeviceId"] = "ob-leaf", ["authChain"] = "ob-gw2;ob-gw" },
        })
        {
            var (refused, answer) = await PostAsync(server, "ob-gw", "getDeviceAndModuleOnBehalfOf", token, outside);
            Assert.True(refused == HttpStatusCode.BadRequest, $"{outside.ToJsonString()}: {(int)refused} {answer?.ToJsonString()}");
            Assert.StartsWith("ErrorCode:ArgumentInvalid;", (string?)answer!["Message"]);
        }
    }

    [Fact]
    public async Task The_scope_calls_take_the_edge_hub_token_in_each_encoding_and_refuse_any_other_credential()
    {
        var server = await _shared.GetAsync(_store);
        var admin = server.AdminHttp();
        var edgeKey = await admin.CreateDeviceAsync("Tk-Gw", """{"type":["iotEdge"]}""");
        var otherEdgeKey = await admin.CreateDeviceAsync("Tk-Gw2", """{"type":["iotEdge"]}""");
        var edgeHubKey = await EdgeHubUpstream.EdgeHubKeyAsync(server, "Tk-Gw", edgeKey);
        var otherEdgeHubKey = await EdgeHubUpstream.EdgeHubKeyAsync(server, "Tk-Gw2", otherEdgeKey);
        var body = new JsonObject { ["pageSize"] = 10, ["authChain"] = "Tk-Gw" };
        var expiry = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds();

        // The service token (three encodings), the client token (two), and the identity service's form: host and device
        // lowercased, '/' and '$' left as they are.
        foreach (var accepted in new[]
        {
            EdgeHubUpstream.ServiceToken(server.HubHostName, "Tk-Gw", edgeHubKey),
            EdgeHubUpstream.ClientToken(server.HubHostName, "Tk-Gw", edgeHubKey),
            Token($"{server.HubHostName.ToLowerInvariant()}/devices/tk-gw/modules/$edgeHub", edgeHubKey, expiry),
        })
        {
            var (status, page) = await PostAsync(server, "Tk-Gw", "devicesAndModulesInTargetDeviceScope", accepted, body);
            Assert.True(status == HttpStatusCode.OK, $"{accepted}: {(int)status} {page?.ToJsonString()}");
        }

        foreach (var refused in new[]
        {
            SharedAccessSignature.Create($"{server.HubHostName}/devices/Tk-Gw", Convert.FromBase64String(edgeKey), expiry),
            EdgeHubUpstream.ServiceToken(server.HubHostName, "Tk-Gw", otherEdgeHubKey),
            EdgeHubUpstream.ServiceToken(server.HubHostName, "Tk-Gw2", otherEdgeHubKey),
            EdgeHubUpstream.ServiceToken(server.HubHostName, "Tk-Gw", edgeHubKey, TimeSpan.FromMinutes(-10)),
            "",
        })
        {
            var (status, answer) = await PostAsync(server, "Tk-Gw", "devicesAndModulesInTargetDeviceScope", refused, body);
            Assert.True(status == HttpStatusCode.Unauthorized, $"{refused}: {(int)status} {answer?.ToJsonString()}");
            Assert.StartsWith("ErrorCode:IotHubUnauthorizedAccess;", (string?)answer!["Message"]);
        }

        // Another module's path of the same device is not the hub's API.
        var (agentPath, _) = await PostAsync(server, "Tk-Gw", "devicesAndModulesInTargetDeviceScope", EdgeHubUpstream.ServiceToken(server.HubHostName, "Tk-Gw", edgeHubKey), body, "$edgeAgent");
        Assert.Equal(HttpStatusCode.Unauthorized, agentPath);
    }

    [Fact]
    public async Task A_downstream_edge_device_is_listed_with_its_own_scope_and_its_scope_is_read_with_its_chain()
    {
        var server = await _shared.GetAsync(_store);
        var admin = server.AdminHttp();
        var topKey = await admin.CreateDeviceAsync("ns-top", """{"type":["iotEdge"]}""");
        await admin.CreateDeviceAsync("ns-lower", """{"type":["iotEdge"]}""");
        await admin.CreateDeviceAsync("ns-leaf");
        await RelateAsync(admin, "ns-top", "ns-lower");
        await RelateAsync(admin, "ns-lower", "ns-leaf");
        var token = EdgeHubUpstream.ServiceToken(server.HubHostName, "ns-top", await EdgeHubUpstream.EdgeHubKeyAsync(server, "ns-top", topKey));

        var (_, top) = await PostAsync(server, "ns-top", "devicesAndModulesInTargetDeviceScope", token, new JsonObject { ["pageSize"] = 10, ["authChain"] = "ns-top" });
        var topScope = (string)top!["devices"]!.AsArray().Single(d => (string?)d!["deviceId"] == "ns-top")!["deviceScope"]!;
        var lower = top["devices"]!.AsArray().Single(d => (string?)d!["deviceId"] == "ns-lower")!;
        Assert.True((bool)lower["capabilities"]!["iotEdge"]!);
        Assert.Equal($"ms-azure-iot-edge://ns-lower-{(string)lower["generationId"]!}", (string?)lower["deviceScope"]);
        Assert.Equal([topScope], lower["parentScopes"]!.AsArray().Select(s => (string?)s));
        Assert.DoesNotContain(top["devices"]!.AsArray(), d => (string?)d!["deviceId"] == "ns-leaf");

        // ServiceProxy's breadth-first walk: the child edge device's scope with its chain "ns-lower;ns-top".
        var (status, nested) = await PostAsync(server, "ns-top", "devicesAndModulesInTargetDeviceScope", token, new JsonObject { ["pageSize"] = 10, ["authChain"] = "ns-lower;ns-top" });
        Assert.True(status == HttpStatusCode.OK, nested?.ToJsonString());
        Assert.Equal(["ns-leaf", "ns-lower"], nested!["devices"]!.AsArray().Select(d => (string)d!["deviceId"]!).Order());
        Assert.Equal([(string?)lower["deviceScope"]], nested["devices"]!.AsArray().Single(d => (string?)d!["deviceId"] == "ns-leaf")!["parentScopes"]!.AsArray().Select(s => (string?)s));
        Assert.All(nested["modules"]!.AsArray(), m => Assert.Equal("ns-lower", (string?)m!["deviceId"]));
    }

    [Fact]
    public async Task Generation_ids_stay_through_updates_and_change_when_an_identity_is_created_again()
    {
        var server = await _shared.GetAsync(_store);
        var admin = server.AdminHttp();
        var edgeKey = await admin.CreateDeviceAsync("gen-gw", """{"type":["iotEdge"]}""");
        await admin.CreateDeviceAsync("gen-leaf");
        await RelateAsync(admin, "gen-gw", "gen-leaf");
        var token = EdgeHubUpstream.ServiceToken(server.HubHostName, "gen-gw", await EdgeHubUpstream.EdgeHubKeyAsync(server, "gen-gw", edgeKey));
        var before = await LeafGenerationAsync(server, token);

        Assert.Equal(HttpStatusCode.OK, (await admin.PatchAsync($"api/devices/gen-leaf?{DeviceApi.Version}", CentrumServer.Json("""{"displayName":"renamed"}"""))).StatusCode);
        Assert.Equal(before, await LeafGenerationAsync(server, token));

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"api/devices/gen-leaf?{DeviceApi.Version}")).StatusCode);
        await admin.CreateDeviceAsync("gen-leaf");
        await RelateAsync(admin, "gen-gw", "gen-leaf");
        Assert.NotEqual(before, await LeafGenerationAsync(server, token));

        // A module: identityd's create, then its update with If-Match: * and derived keys (Azure/iot-identity-service
        // identity/aziot-cloud-client-async/src/hub/mod.rs) keep the generation id; deleted and created again, it changes.
        var created = await RegistryAsync(server, edgeKey, HttpMethod.Put, "gen-gw", "sensor", """{"moduleId":"sensor","deviceId":"gen-gw"}""", null);
        var generation = (string)created!["generationId"]!;
        var keys = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var updated = await RegistryAsync(server, edgeKey, HttpMethod.Put, "gen-gw", "sensor",
            $$$"""{"moduleId":"sensor","deviceId":"gen-gw","authentication":{"symmetricKey":{"primaryKey":"{{{keys}}}","secondaryKey":"{{{keys}}}"},"type":"sas"}}""", "*");
        Assert.Equal(generation, (string?)updated!["generationId"]);
        await RegistryAsync(server, edgeKey, HttpMethod.Delete, "gen-gw", "sensor", null, "*");
        var again = await RegistryAsync(server, edgeKey, HttpMethod.Put, "gen-gw", "sensor", """{"moduleId":"sensor","deviceId":"gen-gw"}""", null);
        Assert.NotEqual(generation, (string?)again!["generationId"]);
    }

    [Fact]
    public async Task An_X509_edge_device_makes_the_registry_calls_with_its_client_certificate_and_the_scope_names_its_thumbprint()
    {
        var server = await _shared.GetAsync(_store);
        var admin = server.AdminHttp();
        await admin.CreateDeviceAsync("x5-gw", """{"type":["iotEdge"]}""");
        await admin.CreateDeviceAsync("x5-sas", """{"type":["iotEdge"]}""");
        using var ca = TestCertificates.CreateCa("Edge registry");
        using var certificate = TestCertificates.Issue(ca, "x5-gw", ecdsa: true);
        using var stranger = TestCertificates.Issue(ca, "x5-other", ecdsa: true);
        using var sasDeviceCertificate = TestCertificates.Issue(ca, "x5-sas", ecdsa: true);
        var attested = await admin.PutAsync($"api/devices/x5-gw/attestation?{DeviceApi.Version}", CentrumServer.Json(new JsonObject
        {
            ["type"] = "x509",
            ["x509"] = new JsonObject { ["clientCertificates"] = new JsonObject { ["primary"] = new JsonObject { ["certificate"] = TestCertificates.Base64(certificate) } } },
        }.ToJsonString()));
        Assert.True(attested.StatusCode == HttpStatusCode.OK, await attested.Content.ReadAsStringAsync());

        // identityd's calls for an X.509 device: no Authorization header, the certificate at the TLS layer.
        var (listed, modules) = await CertificateCallAsync(server, certificate, HttpMethod.Get, "x5-gw", null, null);
        Assert.True(listed == HttpStatusCode.OK, modules?.ToJsonString());
        Assert.Equal(["$edgeAgent", "$edgeHub"], modules!.AsArray().Select(m => (string?)m!["moduleId"]));
        var (created, module) = await CertificateCallAsync(server, certificate, HttpMethod.Put, "x5-gw", "sensor", """{"moduleId":"sensor","deviceId":"x5-gw"}""");
        Assert.True(created == HttpStatusCode.OK, module?.ToJsonString());
        Assert.Equal("sas", (string?)module!["authentication"]!["type"]);

        // Another device's certificate, and a certificate for a device that attests with keys, are refused.
        Assert.Equal(HttpStatusCode.Unauthorized, (await CertificateCallAsync(server, stranger, HttpMethod.Get, "x5-gw", null, null)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await CertificateCallAsync(server, sasDeviceCertificate, HttpMethod.Get, "x5-sas", null, null)).Status);

        // The edge device's own entry in its scope names its certificate as IoT Hub's selfSigned authentication does.
        var edgeHubKey = (string)(await CertificateCallAsync(server, certificate, HttpMethod.Get, "x5-gw", "$edgeHub", null)).Body!["authentication"]!["symmetricKey"]!["primaryKey"]!;
        var (status, page) = await PostAsync(server, "x5-gw", "getDeviceAndModuleOnBehalfOf", EdgeHubUpstream.ServiceToken(server.HubHostName, "x5-gw", edgeHubKey),
            new JsonObject { ["targetDeviceId"] = "x5-gw", ["authChain"] = "x5-gw" });
        Assert.True(status == HttpStatusCode.OK, page?.ToJsonString());
        var authentication = page!["devices"]!.AsArray().Single()!["authentication"]!;
        Assert.Equal("selfSigned", (string?)authentication["type"]);
        Assert.Equal(certificate.Thumbprint, (string?)authentication["x509Thumbprint"]!["primaryThumbprint"], ignoreCase: true);
    }

    private static async Task<(HttpStatusCode Status, JsonNode? Body)> CertificateCallAsync(
        CentrumServer server, System.Security.Cryptography.X509Certificates.X509Certificate2 certificate, HttpMethod method, string edgeId, string? moduleId, string? body)
    {
        using var handler = new SocketsHttpHandler
        {
            SslOptions = new System.Net.Security.SslClientAuthenticationOptions
            {
                // The server's certificate is checked by the other cases; this one is about the client's.
                RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null,
                ClientCertificates = [certificate],
            },
        };
        using var client = new HttpClient(handler) { BaseAddress = server.BaseAddress };
        using var request = new HttpRequestMessage(method, $"devices/{edgeId}/modules{(moduleId is null ? "" : "/" + moduleId)}?api-version=2017-11-08-preview");
        request.Headers.Host = server.HubHostName;
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    private static async Task<string> LeafGenerationAsync(CentrumServer server, string token)
    {
        var (status, page) = await PostAsync(server, "gen-gw", "getDeviceAndModuleOnBehalfOf", token, new JsonObject { ["targetDeviceId"] = "gen-leaf", ["authChain"] = "gen-gw" });
        Assert.True(status == HttpStatusCode.OK, page?.ToJsonString());
        var generation = (string)page!["devices"]!.AsArray().Single()!["generationId"]!;
        Assert.Matches("^[0-9]{18}$", generation);
        return generation;
    }

    private static async Task<JsonNode?> RegistryAsync(CentrumServer server, string edgeKey, HttpMethod method, string edgeId, string moduleId, string? body, string? ifMatch)
    {
        using var http = server.Http();
        using var request = new HttpRequestMessage(method, $"devices/{edgeId}/modules/{moduleId}?api-version=2017-11-08-preview");
        request.Headers.Host = server.HubHostName;
        request.Headers.TryAddWithoutValidation("Authorization",
            SharedAccessSignature.Create($"{server.HubHostName}/devices/{edgeId}".ToLowerInvariant(), Convert.FromBase64String(edgeKey), DateTimeOffset.UtcNow.AddSeconds(30).ToUnixTimeSeconds()));
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {moduleId}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    /// <summary>NestedDeviceScopeApiClient: POST to the actor's <c>$edgeHub</c> path, the token as the Authorization header, JSON in UTF-8.</summary>
    private static async Task<(HttpStatusCode Status, JsonNode? Body)> PostAsync(
        CentrumServer server, string edgeId, string operation, string token, JsonObject body, string module = "$edgeHub")
    {
        using var http = server.Http();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"devices/{edgeId}/modules/{module}/{operation}?{ScopeApi}");
        request.Headers.Host = server.HubHostName;
        request.Headers.TryAddWithoutValidation("Authorization", token);
        request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    private static async Task<(HttpStatusCode Status, JsonNode? Body)> GetAsync(CentrumServer server, string pathAndQuery, string token)
    {
        using var http = server.Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(http.BaseAddress!, pathAndQuery));
        request.Headers.Host = server.HubHostName;
        request.Headers.TryAddWithoutValidation("Authorization", token);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    private static async Task RelateAsync(HttpClient admin, string gateway, string child)
    {
        using var response = await admin.PutAsync($"api/devices/{gateway}/relationships/{gateway}-{child}?{DeviceApi.Version}", CentrumServer.Json($$"""{"source":"{{gateway}}","target":"{{child}}"}"""));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    private static string Token(string resource, string key, long expiry)
    {
        var signature = Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(key), Encoding.UTF8.GetBytes($"{resource}\n{expiry}")));
        return $"SharedAccessSignature sr={resource}&sig={WebUtility.UrlEncode(signature)}&se={expiry}";
    }
}

/// <summary>The same tests with the metadata in PostgreSQL (the generation id migration, the scope's ordered paging).</summary>
public sealed class EdgeScopeTestsOnPostgreSql(SharedServer shared) : EdgeScopeTests(MetadataStore.PostgreSql, shared);
