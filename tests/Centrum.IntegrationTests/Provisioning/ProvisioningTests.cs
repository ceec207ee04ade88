using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace Centrum.IntegrationTests.Provisioning;

/// <summary>
/// Zero-touch provisioning with the Azure IoT Node.js provisioning SDK (MQTT and HTTP transports), then a hub
/// connection with what was assigned and telemetry that REST shows. The cases on the default settings share one
/// server, each with its own enrollment groups, registration ids, CAs and applications.
/// </summary>
public sealed class ProvisioningTests(SharedServer shared) : IClassFixture<SharedServer>
{
    private const string ModelId = "dtmi:com:example:Thermostat;1";

    [Theory]
    [InlineData("mqtt")]
    [InlineData("http")]
    public async Task A_device_provisions_with_a_group_symmetric_key_and_then_sends_telemetry(string transport)
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var http = server.AdminHttp();
        var sensorId = $"sensor-42-{transport}";
        var group = await CreateGroupAsync(http, $"sas-{transport}", """{"displayName":"SAS devices","type":"iot","attestation":{"type":"symmetricKey"}}""");
        var groupKey = (string)group["attestation"]!["symmetricKey"]!["primaryKey"]!;
        var idScope = (string)group["idScope"]!;

        var events = await ProvisionAsync(server, new { transport, idScope, registrationId = sensorId, groupKey, payload = new { modelId = ModelId }, connect = true });
        var registered = Assert.Single(events, e => (string?)e["event"] == "registered");
        Assert.Equal((server.HubHostName, sensorId, "assigned"), ((string?)registered["assignedHub"], (string?)registered["deviceId"], (string?)registered["status"]));
        Assert.Contains(events, e => (string?)e["event"] == "sent");

        var device = await http.GetJsonAsync($"api/devices/{sensorId}");
        Assert.True((bool)device["provisioned"]!);
        Assert.Equal(ModelId, (string?)device["modelId"]);
        Assert.Equal(1, (int)(await http.GetJsonAsync($"api/devices/{sensorId}/telemetry/provisioned"))["value"]!);

        // Provisioning again returns the same device and hub.
        var again = await ProvisionAsync(server, new { transport, idScope, registrationId = sensorId, groupKey });
        Assert.Equal("reprovisionedToInitialAssignment", (string?)again.Single(e => (string?)e["event"] == "registered")["substatus"]);
    }

    [Fact]
    public async Task A_device_provisions_with_its_individual_enrollment()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var http = server.AdminHttp();
        var key = await http.CreateDeviceAsync("individual-1");
        var idScope = (string)(await http.GetJsonAsync("api/devices/individual-1/credentials"))["idScope"]!;
        var attestation = await http.GetJsonAsync("api/devices/individual-1/attestation");
        Assert.Equal("symmetricKey", (string?)attestation["type"]);

        var events = await ProvisionAsync(server, new { transport = "mqtt", idScope, registrationId = "individual-1", symmetricKey = key, connect = true, hubTransport = "mqttws" });
        Assert.Contains(events, e => (string?)e["event"] == "sent");

        var tpm = await http.PutAsync($"api/devices/individual-1/attestation?{DeviceApi.Version}", CentrumServer.Json("""{"type":"tpm","tpm":{"endorsementKey":"AAAA"}}"""));
        await Api.RestAuthorizationTests.AssertErrorAsync(tpm, HttpStatusCode.BadRequest, "BadRequest");
    }

    [Theory]
    [InlineData("mqtt", true)]
    [InlineData("http", false)]
    public async Task A_device_provisions_with_an_X509_certificate_chained_to_a_verified_CA_and_connects_with_it(string transport, bool ecdsa)
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var http = server.AdminHttp();
        var (groupId, cameraId) = ($"x509-{transport}", $"camera-7-{transport}");
        using var ca = TestCertificates.CreateCa($"Test device CA {transport}");
        using var leaf = TestCertificates.Issue(ca, cameraId, ecdsa);
        var (certFile, keyFile) = TestCertificates.WritePem(leaf, Path.Combine(server.DataFolder, "test-certs"), cameraId);
        var group = await CreateGroupAsync(http, groupId, """{"displayName":"X.509 devices","type":"iot","attestation":{"type":"x509"}}""");
        await UploadAndVerifyAsync(http, groupId, ca);

        var events = await ProvisionAsync(server, new { transport, idScope = (string)group["idScope"]!, registrationId = cameraId, certFile, keyFile, connect = true });
        Assert.Equal("assigned", (string?)events.Single(e => (string?)e["event"] == "registered")["status"]);
        Assert.Contains(events, e => (string?)e["event"] == "sent");
        Assert.Equal(1, (int)(await http.GetJsonAsync($"api/devices/{cameraId}/telemetry/provisioned"))["value"]!);

        // A certificate-only hub connection (no SAS), then the group is disabled: the connection closes at once and a
        // new one is refused.
        using var client = MqttDevice.CreateClient();
        var options = MqttDevice.Options(server, cameraId, $"{server.HubHostName}/{cameraId}/?api-version=2021-04-12", null, cleanSession: true);
        options.ChannelOptions.TlsOptions.ClientCertificatesProvider = new CertificateProvider(leaf);
        Assert.Equal(MQTTnet.MqttClientConnectResultCode.Success, (await client.ConnectAsync(options)).ResultCode);
        var patched = await http.PatchAsync($"api/enrollmentGroups/{groupId}?{DeviceApi.Version}", CentrumServer.Json("""{"enabled":false}"""));
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        await MqttDevice.WaitForDisconnectAsync(client, TimeSpan.FromSeconds(10));
        using var again = MqttDevice.CreateClient();
        Assert.Equal(MQTTnet.MqttClientConnectResultCode.NotAuthorized, (await again.ConnectAsync(options)).ResultCode);
        var refused = await ProvisionAsync(server, new { transport, idScope = (string)group["idScope"]!, registrationId = cameraId, certFile, keyFile });
        Assert.Contains(refused, e => (string?)e["event"] == "register-error");
    }

    [Fact]
    public async Task Bad_credentials_are_refused_with_a_JSON_answer_and_the_device_process_survives()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var http = server.AdminHttp();
        var group = await CreateGroupAsync(http, "sas", """{"displayName":"SAS","type":"iot","attestation":{"type":"symmetricKey"}}""");
        var idScope = (string)group["idScope"]!;
        var groupKey = (string)group["attestation"]!["symmetricKey"]!["primaryKey"]!;
        var disabled = await CreateGroupAsync(http, "disabled", """{"displayName":"Off","type":"iot","enabled":false,"attestation":{"type":"symmetricKey"}}""");
        using var ca = TestCertificates.CreateCa("Unverified CA");
        using var stranger = TestCertificates.CreateCa("Stranger CA");
        await CreateGroupAsync(http, "unverified", """{"displayName":"Unverified","type":"iot","attestation":{"type":"x509"}}""");
        var upload = await http.PutAsync($"api/enrollmentGroups/unverified/certificates/primary?{DeviceApi.Version}", CentrumServer.Json($$"""{"certificate":"{{TestCertificates.Base64(ca)}}"}"""));
        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        using var unverifiedLeaf = TestCertificates.Issue(ca, "cam-unverified", ecdsa: true);
        using var strangerLeaf = TestCertificates.Issue(stranger, "cam-stranger", ecdsa: false);
        var folder = Path.Combine(server.DataFolder, "test-certs");
        var unverifiedPem = TestCertificates.WritePem(unverifiedLeaf, folder, "cam-unverified");
        var strangerPem = TestCertificates.WritePem(strangerLeaf, folder, "cam-stranger");

        foreach (var transport in new[] { "mqtt", "http" })
        {
            await ExpectRefusedAsync(server, new { transport, idScope, registrationId = "wrong-key", groupKey = Centrum.Security.SymmetricKeys.Generate() }, "Unauthorized");
            await ExpectRefusedAsync(server, new { transport, idScope = "0ne00000000", registrationId = "unknown-scope", groupKey });
            await ExpectRefusedAsync(server, new { transport, idScope, registrationId = "in-disabled", groupKey = (string)disabled["attestation"]!["symmetricKey"]!["primaryKey"]! });
            await ExpectRefusedAsync(server, new { transport, idScope, registrationId = "cam-unverified", certFile = unverifiedPem.CertFile, keyFile = unverifiedPem.KeyFile }, "Unauthorized");
            await ExpectRefusedAsync(server, new { transport, idScope, registrationId = "cam-stranger", certFile = strangerPem.CertFile, keyFile = strangerPem.KeyFile }, "Unauthorized");
        }

        // A revoked (disabled) device provisions no more and cannot connect.
        var revoked = await ProvisionAsync(server, new { transport = "mqtt", idScope, registrationId = "revoked-1", groupKey });
        Assert.Contains(revoked, e => (string?)e["event"] == "registered");
        await http.PatchAsync($"api/devices/revoked-1?{DeviceApi.Version}", CentrumServer.Json("""{"enabled":false}"""));
        await ExpectRefusedAsync(server, new { transport = "mqtt", idScope, registrationId = "revoked-1", groupKey });
        Assert.Empty(await DevicesAsync(http, "wrong-key", "unknown-scope", "in-disabled", "cam-unverified", "cam-stranger"));
    }

    [Fact]
    public async Task An_unapproved_device_waits_until_an_operator_approves_it()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        await server.RunCliAsync("app", "create", "--id", "strict", "--manual-approval");
        using var http = server.Http(await server.CreateTokenAsync("strict-admin", application: "strict"));
        var group = await CreateGroupAsync(http, "sas", """{"displayName":"SAS","type":"iot","attestation":{"type":"symmetricKey"}}""");
        var scenario = new { transport = "mqtt", idScope = (string)group["idScope"]!, registrationId = "newcomer", groupKey = (string)group["attestation"]!["symmetricKey"]!["primaryKey"]!, connect = true };

        var waiting = await ProvisionAsync(server, scenario);
        Assert.Equal($"strict.{CentrumServer.HostName}", (string?)waiting.Single(e => (string?)e["event"] == "registered")["assignedHub"]);
        Assert.Contains("Not authorized", (string?)waiting.Single(e => (string?)e["event"] == "open-error")["message"], StringComparison.OrdinalIgnoreCase);
        Assert.False((bool)(await http.GetJsonAsync("api/devices/newcomer"))["approved"]!);

        var approve = await http.PatchAsync($"api/devices/newcomer?{DeviceApi.Version}", CentrumServer.Json("""{"approved":true}"""));
        Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        var approved = await ProvisionAsync(server, scenario);
        Assert.Contains(approved, e => (string?)e["event"] == "sent");
    }

    [Fact]
    public async Task Two_applications_with_the_same_registration_id_stay_apart()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        await server.RunCliAsync("app", "create", "--id", "other");
        var mine = server.AdminHttp();
        using var other = server.Http(await server.CreateTokenAsync("other-admin", application: "other"));
        var mineGroup = await CreateGroupAsync(mine, "sas-apart", """{"displayName":"SAS","type":"iot","attestation":{"type":"symmetricKey"}}""");
        var otherGroup = await CreateGroupAsync(other, "sas", """{"displayName":"SAS","type":"iot","attestation":{"type":"symmetricKey"}}""");
        Assert.NotEqual((string?)mineGroup["idScope"], (string?)otherGroup["idScope"]);

        var a = await ProvisionAsync(server, new { transport = "mqtt", idScope = (string)mineGroup["idScope"]!, registrationId = "twin-name", groupKey = (string)mineGroup["attestation"]!["symmetricKey"]!["primaryKey"]!, connect = true });
        var b = await ProvisionAsync(server, new { transport = "http", idScope = (string)otherGroup["idScope"]!, registrationId = "twin-name", groupKey = (string)otherGroup["attestation"]!["symmetricKey"]!["primaryKey"]!, connect = true });
        Assert.Equal(server.HubHostName, (string?)a.Single(e => (string?)e["event"] == "registered")["assignedHub"]);
        Assert.Equal($"other.{CentrumServer.HostName}", (string?)b.Single(e => (string?)e["event"] == "registered")["assignedHub"]);
        Assert.Contains(a, e => (string?)e["event"] == "sent");
        Assert.Contains(b, e => (string?)e["event"] == "sent");

        // One application's key does not register the device in the other.
        await ExpectRefusedAsync(server, new { transport = "mqtt", idScope = (string)otherGroup["idScope"]!, registrationId = "twin-name", groupKey = (string)mineGroup["attestation"]!["symmetricKey"]!["primaryKey"]! }, "Unauthorized");
        Assert.Equal(1, (int)(await mine.GetJsonAsync("api/devices/twin-name/telemetry/provisioned"))["value"]!);
        Assert.Equal(1, (int)(await other.GetJsonAsync("api/devices/twin-name/telemetry/provisioned"))["value"]!);
    }

    [Fact]
    public async Task A_symmetric_key_individual_enrollment_is_not_entered_with_a_group_CA_certificate()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var http = server.AdminHttp();
        using var ca = TestCertificates.CreateCa("Group CA");
        var group = await CreateGroupAsync(http, "x509-devices", """{"displayName":"X.509 devices","type":"iot","attestation":{"type":"x509"}}""");
        await UploadAndVerifyAsync(http, "x509-devices", ca);

        // The device is enrolled individually with a symmetric key; someone holding a group-CA certificate with its CN
        // gets in neither at the hub nor at provisioning.
        var key = await http.CreateDeviceAsync("meter-3");
        using var impostor = TestCertificates.Issue(ca, "meter-3", ecdsa: true);
        var (certFile, keyFile) = TestCertificates.WritePem(impostor, Path.Combine(server.DataFolder, "test-certs"), "meter-3");
        using var client = MqttDevice.CreateClient();
        var options = MqttDevice.Options(server, "meter-3", $"{server.HubHostName}/meter-3/?api-version=2021-04-12", null, cleanSession: true);
        options.ChannelOptions.TlsOptions.ClientCertificatesProvider = new CertificateProvider(impostor);
        Assert.Equal(MQTTnet.MqttClientConnectResultCode.NotAuthorized, (await client.ConnectAsync(options)).ResultCode);
        await ExpectRefusedAsync(server, new { transport = "mqtt", idScope = (string)group["idScope"]!, registrationId = "meter-3", certFile, keyFile }, "Unauthorized");
        Assert.Equal("symmetricKey", (string?)(await http.GetJsonAsync("api/devices/meter-3/attestation"))["type"]);

        // Its own key still works, and a device the group enrolls (no individual enrollment) still gets in with the CA.
        using var owner = MqttDevice.CreateClient();
        Assert.Equal(MQTTnet.MqttClientConnectResultCode.Success, (await owner.ConnectAsync(MqttDevice.Options(server, "meter-3", key, cleanSession: true))).ResultCode);
        using var member = TestCertificates.Issue(ca, "meter-4", ecdsa: true);
        var memberPem = TestCertificates.WritePem(member, Path.Combine(server.DataFolder, "test-certs"), "meter-4");
        var events = await ProvisionAsync(server, new { transport = "mqtt", idScope = (string)group["idScope"]!, registrationId = "meter-4", certFile = memberPem.CertFile, keyFile = memberPem.KeyFile });
        Assert.Equal("assigned", (string?)events.Single(e => (string?)e["event"] == "registered")["status"]);
    }

    [Fact]
    public async Task A_client_certificate_s_AIA_and_CRL_addresses_are_never_fetched()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var http = server.AdminHttp();

        // Where the certificate says its issuer and revocation list are: a listener that counts who calls.
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var contacted = 0;
        _ = Task.Run(async () =>
        {
            while (true)
            {
                using var caller = await listener.AcceptTcpClientAsync();
                Interlocked.Increment(ref contacted);
            }
        });
        var url = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";

        // A root the group trusts, an intermediate the device does not send, and a leaf pointing at the listener.
        using var root = TestCertificates.CreateCa("AIA root");
        var group = await CreateGroupAsync(http, "aia", """{"displayName":"AIA","type":"iot","attestation":{"type":"x509"}}""");
        await UploadAndVerifyAsync(http, "aia", root);
        using var intermediate = Intermediate(root, "AIA intermediate");
        using var leaf = LeafWithAddresses(intermediate, "fetcher-1", url);
        var (certFile, keyFile) = TestCertificates.WritePem(leaf, Path.Combine(server.DataFolder, "test-certs"), "fetcher-1");

        // The device is the Node SDK: unlike .NET's SslStream, its TLS never fetches anything to complete its own chain,
        // so whoever calls the listener is the server (its MQTT and HTTPS listeners share the gateway's certificate check).
        await ExpectRefusedAsync(server, new { transport = "mqtt", idScope = (string)group["idScope"]!, registrationId = "fetcher-1", certFile, keyFile }, "Unauthorized");
        await ExpectRefusedAsync(server, new { transport = "http", idScope = (string)group["idScope"]!, registrationId = "fetcher-1", certFile, keyFile }, "Unauthorized");

        // Every answer above came after the server's chain building; a fetch would have connected before it.
        Assert.False(listener.Pending(), "the server connected to the certificate's AIA or CRL address");
        Assert.Equal(0, Volatile.Read(ref contacted));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"api/devices?{DeviceApi.Version}")).StatusCode);
    }

    private static X509Certificate2 Intermediate(X509Certificate2 root, string name)
    {
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(root, true, false));
        using var issued = request.Create(root, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>A device certificate whose AIA (CA issuers, OCSP) and CRL distribution point name <paramref name="url"/>.</summary>
    private static X509Certificate2 LeafWithAddresses(X509Certificate2 issuer, string commonName, string url)
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        request.CertificateExtensions.Add(new X509AuthorityInformationAccessExtension([url + "/ocsp"], [url + "/issuer.cer"]));
        request.CertificateExtensions.Add(CertificateRevocationListBuilder.BuildCrlDistributionPointExtension([url + "/issuer.crl"]));
        var signer = X509SignatureGenerator.CreateForRSA(issuer.GetRSAPrivateKey()!, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        using var issued = request.Create(issuer.SubjectName, signer, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
        return issued.CopyWithPrivateKey(key);
    }

    private sealed class CertificateProvider(X509Certificate2 certificate) : MQTTnet.IMqttClientCertificatesProvider
    {
        public X509CertificateCollection GetCertificates() => [certificate];
    }

    [Fact]
    public async Task Provisioning_is_rate_limited_per_application_with_429_and_retry_after()
    {
        await using var server = await CentrumServer.StartAsync(new Dictionary<string, string> { ["Centrum:Provisioning:RequestsPerSecond"] = "3" });
        await server.AdminHttp().CreateDeviceAsync("probe");
        var idScope = (string)(await server.AdminHttp().GetJsonAsync("api/devices/probe/credentials"))["idScope"]!;
        using var http = server.Http();
        var statuses = new List<(HttpStatusCode Status, string? RetryAfter, string Body)>();
        for (var i = 0; i < 8; i++)
        {
            using var response = await http.PutAsync($"{idScope}/registrations/probe/register?api-version=2019-03-31", CentrumServer.Json("""{"registrationId":"probe"}"""));
            statuses.Add((response.StatusCode, response.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), await response.Content.ReadAsStringAsync()));
        }

        var throttled = statuses.Where(s => s.Status == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(throttled);
        Assert.All(throttled, t => Assert.Equal("1", t.RetryAfter));
        Assert.All(throttled, t => Assert.Equal(429001, (int)JsonNode.Parse(t.Body)!["errorCode"]!));
        Assert.All(statuses.Where(s => s.Status != HttpStatusCode.TooManyRequests), s => Assert.Equal(HttpStatusCode.Unauthorized, s.Status));
    }

    private static async Task UploadAndVerifyAsync(HttpClient http, string groupId, X509Certificate2 ca)
    {
        var upload = await http.PutAsync($"api/enrollmentGroups/{groupId}/certificates/primary?{DeviceApi.Version}", CentrumServer.Json($$"""{"certificate":"{{TestCertificates.Base64(ca)}}"}"""));
        var uploaded = JsonNode.Parse(await upload.Content.ReadAsStringAsync())!;
        Assert.False((bool)uploaded["verified"]!);
        Assert.Equal(ca.Thumbprint, (string?)uploaded["info"]!["sha1Thumbprint"]);

        var codeResponse = await http.PostAsync($"api/enrollmentGroups/{groupId}/certificates/primary/generateVerificationCode?{DeviceApi.Version}", null);
        var code = (string)JsonNode.Parse(await codeResponse.Content.ReadAsStringAsync())!["verificationCode"]!;
        using var wrong = TestCertificates.Issue(ca, "not-the-code", ecdsa: true, clientAuth: false);
        var refused = await http.PostAsync($"api/enrollmentGroups/{groupId}/certificates/primary/verify?{DeviceApi.Version}", CentrumServer.Json($$"""{"certificate":"{{TestCertificates.Base64(wrong)}}"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        using var proof = TestCertificates.Issue(ca, code, ecdsa: true, clientAuth: false);
        var verified = await http.PostAsync($"api/enrollmentGroups/{groupId}/certificates/primary/verify?{DeviceApi.Version}", CentrumServer.Json($$"""{"certificate":"{{proof.ExportCertificatePem().ReplaceLineEndings("\\n")}}"}"""));
        Assert.Equal(HttpStatusCode.NoContent, verified.StatusCode);
        Assert.True((bool)(await http.GetJsonAsync($"api/enrollmentGroups/{groupId}/certificates/primary"))["verified"]!);
    }

    private static async Task<JsonObject> CreateGroupAsync(HttpClient http, string id, string body)
    {
        var response = await http.PutAsync($"api/enrollmentGroups/{id}?{DeviceApi.Version}", CentrumServer.Json(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!.AsObject();
    }

    private static Task<IReadOnlyList<JsonObject>> ProvisionAsync(CentrumServer server, object scenario)
    {
        var node = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(scenario))!.AsObject();
        node["host"] = server.Address.ToString();
        node["resolve"] = new JsonObject { ["domain"] = CentrumServer.HostName, ["address"] = server.Address.ToString() };
        return NodeDevice.RunAsync(server, node, TimeSpan.FromSeconds(90), "provision.js");
    }

    private static async Task ExpectRefusedAsync(CentrumServer server, object scenario, string? message = null)
    {
        var events = await ProvisionAsync(server, scenario);
        var error = events.SingleOrDefault(e => (string?)e["event"] == "register-error");
        Assert.True(error is not null, $"expected a refusal: {string.Join(' ', events.Select(e => e.ToJsonString()))}");
        if (message is not null)
        {
            Assert.Contains(message, (string?)error["message"] + " " + error["name"], StringComparison.OrdinalIgnoreCase);
        }

        Assert.DoesNotContain(events, e => (string?)e["event"] == "fatal");
    }

    private static async Task<IReadOnlyList<string>> DevicesAsync(HttpClient http, params string[] ids)
    {
        var found = new List<string>();
        foreach (var id in ids)
        {
            if ((await http.GetAsync($"api/devices/{id}?{DeviceApi.Version}")).StatusCode == HttpStatusCode.OK)
            {
                found.Add(id);
            }
        }

        return found;
    }
}
