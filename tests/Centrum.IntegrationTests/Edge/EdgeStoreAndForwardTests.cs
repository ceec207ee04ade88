using System.Globalization;
using System.Net;
using DuckDB.NET.Data;
using Microsoft.Data.Sqlite;

namespace Centrum.IntegrationTests.Edge;

/// <summary>
/// centrum-edge's promise, with the real processes: while the server is down, a downstream Azure IoT Node.js SDK device
/// keeps sending through the edge; the edge is killed hard mid-stream (SIGKILL) and started again on the same files,
/// still without the cloud; once the server is back every message the edge acknowledged arrives, once, in the order
/// the device sent it.
/// </summary>
public sealed class EdgeStoreAndForwardTests
{
    private const int Messages = 120;

    [Fact]
    public async Task Nothing_the_edge_acknowledged_is_lost_across_a_cloud_outage_and_a_hard_kill_of_the_edge()
    {
        await using var server = await CentrumServer.StartAsync();
        var admin = server.AdminHttp();
        var edgeKey = await admin.CreateDeviceAsync("edge-sf", """{"type":["iotEdge"]}""");
        var leafKey = await admin.CreateDeviceAsync("leaf-sf");
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync(
            $"api/devices/edge-sf/relationships/link-1?{DeviceApi.Version}", CentrumServer.Json("""{"source":"edge-sf","target":"leaf-sf"}"""))).StatusCode);

        var folder = Directory.CreateTempSubdirectory("centrum-edge-sf-").FullName;
        var address = LoopbackAddresses.Next();
        var caPath = EdgeRuntimeTests.EdgeCertificates.Write(folder, address);
        var store = Path.Combine(folder, "store.db");
        var scopeCache = Path.Combine(folder, "scope.json");
        await using var edge = new EdgeProcess(address, edgeKey, new Dictionary<string, string>
        {
            ["Edge:HubHostName"] = server.HubHostName,
            ["Edge:DeviceId"] = "edge-sf",
            ["Edge:Upstream:GatewayHostName"] = server.Address.ToString(),
            ["Edge:Upstream:TrustedCaPath"] = server.CaCertificatePath,
            ["Edge:Upstream:ScopeCachePath"] = scopeCache,
            ["Edge:Upstream:MaxBackoff"] = "00:00:02",
            ["Edge:Store:Path"] = store,
            ["Edge:Downstream:CertificatePath"] = Path.Combine(folder, "edge.pem"),
            ["Edge:Downstream:KeyPath"] = Path.Combine(folder, "edge.key"),
        });
        try
        {
            await edge.StartAsync();
            await Wait.UntilAsync(() => Task.FromResult(File.Exists(scopeCache)), TimeSpan.FromSeconds(60), "the edge has read and kept its device scope");

            // The cloud goes away; the device goes on sending through the edge.
            await server.StopAsync();
            await using var device = NodeDevice.Start(server, new
            {
                connectionString = $"HostName={server.HubHostName};DeviceId=leaf-sf;SharedAccessKey={leafKey};GatewayHostName={address}",
                transport = "mqtt",
                action = "stream",
                prefix = "sf",
                count = Messages,
                window = 1,
                // The device's own pace (about 6 s for the stream): on loopback it would otherwise finish before the
                // test sees a third acknowledged and can kill the edge mid-stream.
                intervalMs = 50,
            }, trusted: caPath);
            device.Release();
            await Wait.UntilAsync(() => Task.FromResult(Acked(device).Count >= Messages / 3), TimeSpan.FromSeconds(60), "the edge acknowledges messages while the cloud is down");

            // A crash of the edge mid-stream, and a start on the same files, still without the cloud: the device is
            // authenticated from the kept scope and carries on.
            await edge.KillAsync();
            Assert.True(Acked(device).Count < Messages, "the kill came after the stream ended");
            await edge.StartAsync();
            await device.WaitForExitAsync(TimeSpan.FromMinutes(3));
            Assert.Equal(Messages, Acked(device).Distinct().Count());
            Assert.True(Held(store) >= Messages, "the edge holds what it acknowledged while the cloud is away");

            // The cloud returns: the edge forwards everything it holds and lets go of it.
            await server.StartAsync();
            await Wait.UntilAsync(() => Task.FromResult(Held(store) == 0), TimeSpan.FromSeconds(120), "the edge forwards what it held");
            await edge.StopAsync();
        }
        finally
        {
            SqliteConnection.ClearAllPools();
        }

        await server.StopAsync();
        var stored = StoredMessageIds(server, "leaf-sf");
        var counts = stored.GroupBy(id => id).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(Enumerable.Range(0, Messages).Select(i => $"sf-{i}").Order(), counts.Keys.Order());
        Assert.All(counts, c => Assert.True(c.Value == 1, $"message {c.Key} is stored {c.Value} times"));
        var order = stored.Select(id => int.Parse(id["sf-".Length..], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(0, Messages), order);
        await server.StartAsync();
        Directory.Delete(folder, recursive: true);
    }

    private static List<string> Acked(NodeDevice device) =>
        device.Events.Where(e => (string?)e["event"] == "acked").Select(e => (string)e["id"]!).ToList();

    /// <summary>Messages in the edge's store file, read beside the edge (WAL lets a reader in while it writes).</summary>
    private static long Held(string store)
    {
        using var connection = new SqliteConnection($"Data Source={store};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM messages";
        return (long)command.ExecuteScalar()!;
    }

    private static List<string> StoredMessageIds(CentrumServer server, string deviceId)
    {
        using var duck = new DuckDBConnection($"Data Source={Path.Combine(server.DataFolder, "applications", "default", "telemetry.duckdb")}");
        duck.Open();
        using var command = duck.CreateCommand();
        command.CommandText = "SELECT message_id FROM messages WHERE device_id = $device ORDER BY seq";
        command.Parameters.Add(new DuckDBParameter("device", deviceId));
        using var reader = command.ExecuteReader();
        var ids = new List<string>();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }
}
