using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using MQTTnet;

namespace Centrum.IntegrationTests.Identity;

/// <summary>
/// Secrets at rest: after devices, an enrollment group, an API token and an export destination are created, no file of
/// the data folder holds any of their secrets in clear, the key ring itself is encrypted with the operator's
/// certificate, nothing secret reached the log, and the server still uses them all after a restart.
/// </summary>
public sealed class SecretsAtRestTests
{
    [Fact]
    public async Task The_data_folder_and_the_log_hold_no_secret_in_clear_and_the_key_ring_is_encrypted_to_a_certificate()
    {
        var certificateFolder = Path.Combine(Path.GetTempPath(), "centrum-tests", "keyring-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(certificateFolder);
        var pfx = Path.Combine(certificateFolder, "keyring.pfx");
        using (var rsa = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=Centrum key ring", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pkcs12, "keyring-password"));
        }

        await using var server = await CentrumServer.StartAsync(new Dictionary<string, string>
        {
            ["Centrum:Storage:KeyRingCertificatePath"] = pfx,
            ["Centrum:Storage:KeyRingCertificatePassword"] = "keyring-password",
        });
        var http = server.AdminHttp();
        var secrets = new List<string>();

        var deviceKey = await http.CreateDeviceAsync("secret-1");
        var credentials = await http.GetJsonAsync("api/devices/secret-1/credentials");
        secrets.Add(deviceKey);
        secrets.Add((string)credentials["symmetricKey"]!["secondaryKey"]!);

        var group = await http.PutAsync($"api/enrollmentGroups/sas?{DeviceApi.Version}", CentrumServer.Json("""{"displayName":"SAS","type":"iot","attestation":{"type":"symmetricKey"}}"""));
        var groupJson = JsonNode.Parse(await group.Content.ReadAsStringAsync())!;
        secrets.Add((string)groupJson["attestation"]!["symmetricKey"]!["primaryKey"]!);
        secrets.Add((string)groupJson["attestation"]!["symmetricKey"]!["secondaryKey"]!);

        var token = await server.CreateTokenAsync("scanned-token");
        secrets.Add(token);
        var restToken = await http.PutAsync($"api/apiTokens/rest-token?{DeviceApi.Version}", CentrumServer.Json("""{"roles":[{"role":"ae2c9854-393b-4f97-8c42-479d70ce626e"}]}"""));
        Assert.Equal(HttpStatusCode.OK, restToken.StatusCode);
        var restTokenValue = (string)JsonNode.Parse(await restToken.Content.ReadAsStringAsync())!["token"]!;
        secrets.Add(restTokenValue);
        secrets.Add(Signature(restTokenValue));

        const string ClientSecret = "oauth-client-secret-4711";
        const string StorageKey = "c3RvcmFnZS1hY2NvdW50LWtleS1zZWNyZXQ=";
        await Export.ExportTests.PutAsync(http, "dataExport/destinations/hook",
            """{"displayName":"Hook","type":"webhook@v1","url":"http://127.0.0.1:9/x","authorization":{"type":"oauth","tokenUrl":"http://127.0.0.1:9/token","clientId":"c","clientSecret":"oauth-client-secret-4711"}}""");
        await Export.ExportTests.PutAsync(http, "dataExport/destinations/lake",
            $$$"""{"displayName":"Lake","type":"blobstorage@v1","authorization":{"type":"connectionString","connectionString":"DefaultEndpointsProtocol=http;AccountName=acct;AccountKey={{{StorageKey}}};BlobEndpoint=http://127.0.0.1:9/acct;","containerName":"lake"}}""");
        secrets.Add(ClientSecret);
        secrets.Add(StorageKey);

        await server.StopAsync();
        foreach (var file in Directory.EnumerateFiles(server.DataFolder, "*", SearchOption.AllDirectories))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            foreach (var secret in secrets)
            {
                Assert.False(Contains(bytes, Encoding.UTF8.GetBytes(secret)), $"{Path.GetRelativePath(server.DataFolder, file)} holds a secret in clear");
                Assert.False(Contains(bytes, Encoding.Unicode.GetBytes(secret)), $"{Path.GetRelativePath(server.DataFolder, file)} holds a secret in clear (UTF-16)");
            }
        }

        var keyFiles = Directory.GetFiles(Path.Combine(server.DataFolder, "keys"), "*.xml");
        Assert.NotEmpty(keyFiles);
        foreach (var keyFile in keyFiles)
        {
            var xml = await File.ReadAllTextAsync(keyFile);
            Assert.Contains("encryptedSecret", xml, StringComparison.Ordinal);
            Assert.DoesNotContain("<value>", xml, StringComparison.Ordinal);
        }

        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, server.Log, StringComparison.Ordinal);
        }

        // Without the certificate the server refuses to start rather than begin a new key ring.
        var withoutCertificate = await Assert.ThrowsAsync<InvalidOperationException>(() => server.RunCliWithoutSettingsAsync("token", "create", "--app", "default", "--id", "x", "--role", "admin"));
        Assert.Contains("KeyRingCertificatePath", withoutCertificate.Message, StringComparison.Ordinal);

        // The encrypted key ring opens again with the certificate: the device key and the token still work.
        await server.StartAsync();
        using var client = MqttDevice.CreateClient();
        await client.ConnectAsync(MqttDevice.Options(server, "secret-1", deviceKey, cleanSession: true));
        await client.DisconnectAsync();
        using var restClient = server.Http(restTokenValue);
        Assert.Equal(HttpStatusCode.OK, (await restClient.GetAsync($"api/devices?{DeviceApi.Version}")).StatusCode);
        Directory.Delete(certificateFolder, recursive: true);
    }

    private static string Signature(string token) =>
        Uri.UnescapeDataString(token.Split('&').Select(p => p.Split('=', 2)).Single(p => p[0].EndsWith("sig", StringComparison.Ordinal))[1]);

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
