using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Centrum.Edge;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.IntegrationTests.Edge;

/// <summary>
/// centrum-edge between Azure IoT Node.js SDK devices and the real server: the device dials the edge
/// (<c>GatewayHostName</c>) with its own connection string, and its messages reach the cloud under its own id, in the
/// order it sent them, through the edge's store and forward and its on-behalf-of connection.
/// </summary>
public sealed class EdgeRuntimeTests
{
    [Fact]
    public async Task A_downstream_device_sends_through_the_edge_and_its_messages_arrive_under_its_own_id_in_order()
    {
        await using var server = await CentrumServer.StartAsync();
        var admin = server.AdminHttp();
        var edgeKey = await admin.CreateDeviceAsync("edge-rt", """{"type":["iotEdge"]}""");
        var leafKey = await admin.CreateDeviceAsync("leaf-1");
        var link = await admin.PutAsync($"api/devices/edge-rt/relationships/link-1?{DeviceApi.Version}", CentrumServer.Json("""{"source":"edge-rt","target":"leaf-1"}"""));
        Assert.Equal(HttpStatusCode.OK, link.StatusCode);

        var folder = Directory.CreateTempSubdirectory("centrum-edge-").FullName;
        var edgeAddress = LoopbackAddresses.Next();
        var caPath = EdgeCertificates.Write(folder, edgeAddress);
        var edge = EdgeHost.Build([], new Dictionary<string, string?>
        {
            ["Edge:HubHostName"] = server.HubHostName,
            ["Edge:DeviceId"] = "edge-rt",
            ["Edge:Upstream:SharedAccessKey"] = edgeKey,
            ["Edge:Upstream:GatewayHostName"] = server.Address.ToString(),
            ["Edge:Upstream:TrustedCaPath"] = server.CaCertificatePath,
            ["Edge:Store:Path"] = Path.Combine(folder, "store.db"),
            ["Edge:Upstream:ScopeCachePath"] = Path.Combine(folder, "scope.json"),
            ["Edge:Downstream:Address"] = edgeAddress.ToString(),
            ["Edge:Downstream:CertificatePath"] = Path.Combine(folder, "edge.pem"),
            ["Edge:Downstream:KeyPath"] = Path.Combine(folder, "edge.key"),
        });
        await edge.StartAsync();
        try
        {
            // The edge knows the leaf once it has read its device scope from the cloud.
            var scope = edge.Services.GetRequiredService<Centrum.Edge.Downstream.DeviceScope>();
            await Wait.UntilAsync(() => Task.FromResult(scope.Find("leaf-1", null) is not null), TimeSpan.FromSeconds(60), "the edge reads its device scope");

            var events = await NodeDevice.RunAsync(server, new
            {
                connectionString = $"HostName={server.HubHostName};DeviceId=leaf-1;SharedAccessKey={leafKey};GatewayHostName={edgeAddress}",
                transport = "mqtt",
                action = "stream",
                count = 40,
                window = 4,
                prefix = "leaf",
            }, TimeSpan.FromSeconds(120), trusted: caPath);
            Assert.Equal(40, events.Count(e => (string?)e["event"] == "acked"));

            // Everything acknowledged by the edge reaches the cloud, after which the edge's store is empty.
            var store = edge.Services.GetRequiredService<Centrum.Edge.Buffering.MessageStore>();
            await Wait.UntilAsync(() => Task.FromResult(store.Count == 0), TimeSpan.FromSeconds(60), "the edge forwards what it stored");
            var latest = await admin.GetJsonAsync("api/devices/leaf-1/telemetry/seq");
            Assert.Equal(39, (int)latest["value"]!);
            Assert.True((bool)(await admin.GetJsonAsync("api/devices/leaf-1"))["connected"]!);
        }
        finally
        {
            await edge.StopAsync();
            await edge.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }

        // The cloud stored each message once, under the leaf, in the order the leaf sent them.
        await server.StopAsync();
        using (var duck = new DuckDB.NET.Data.DuckDBConnection($"Data Source={Path.Combine(server.DataFolder, "applications", "default", "telemetry.duckdb")}"))
        {
            duck.Open();
            using var command = duck.CreateCommand();
            command.CommandText = "SELECT device_id, message_id FROM messages ORDER BY seq";
            using var reader = command.ExecuteReader();
            var stored = new List<(string Device, string Id)>();
            while (reader.Read())
            {
                stored.Add((reader.GetString(0), reader.GetString(1)));
            }

            Assert.All(stored, m => Assert.Equal("leaf-1", m.Device));
            var ids = stored.Select(m => int.Parse(m.Id["leaf-".Length..], CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(Enumerable.Range(0, 40), ids.Distinct().Order());
            Assert.Equal(ids.Distinct().ToList(), ids.Distinct().Order().ToList());
        }

        await server.StartAsync();
    }

    /// <summary>The edge's own CA, and the certificate its downstream listener presents for an address, signed by it.</summary>
    internal static class EdgeCertificates
    {
        public static string Write(string folder, IPAddress address)
        {
            using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var caRequest = new CertificateRequest("CN=centrum-edge test CA", caKey, HashAlgorithmName.SHA256);
            caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(2));

            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest("CN=centrum-edge", key, HashAlgorithmName.SHA256);
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(address);
            request.CertificateExtensions.Add(names.Build());
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
            using var leaf = request.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1), RandomNumberGenerator.GetBytes(8));

            File.WriteAllText(Path.Combine(folder, "edge.pem"), leaf.ExportCertificatePem());
            File.WriteAllText(Path.Combine(folder, "edge.key"), key.ExportPkcs8PrivateKeyPem());
            var caPath = Path.Combine(folder, "edge-ca.pem");
            File.WriteAllText(caPath, ca.ExportCertificatePem());
            return caPath;
        }
    }
}
