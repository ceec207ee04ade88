using DuckDB.NET.Data;

namespace Centrum.IntegrationTests.Gateway;

/// <summary>A PUBACK means the message is on disk: a SIGKILL mid-stream loses nothing acknowledged and duplicates nothing.</summary>
public sealed class DurabilityTests
{
    private const int Devices = 4;
    private const int MessagesPerDevice = 1000;

    [Fact]
    public async Task Every_acknowledged_message_survives_a_hard_kill_exactly_once()
    {
        await using var server = await CentrumServer.StartAsync();
        var http = server.AdminHttp();
        var devices = new List<NodeDevice>();
        try
        {
            for (var i = 0; i < Devices; i++)
            {
                var key = await http.CreateDeviceAsync($"durable-{i}");
                devices.Add(NodeDevice.Start(server, new
                {
                    connectionString = NodeDevice.ConnectionString(server, $"durable-{i}", key),
                    transport = "mqtt",
                    action = "stream",
                    prefix = $"durable-{i}",
                    count = MessagesPerDevice,
                    window = 8,
                }));
            }

            // Kill while every device is mid-stream.
            await Wait.UntilAsync(
                () => Task.FromResult(devices.All(d => d.Events.Count(e => (string?)e["event"] == "acked") >= 30)),
                TimeSpan.FromSeconds(60), "every device has messages acknowledged");
            await server.KillAsync();
            var ackedBeforeKill = devices.Sum(d => d.Events.Count(e => (string?)e["event"] == "acked"));
            Assert.True(ackedBeforeKill < Devices * MessagesPerDevice, "the kill came after the stream ended");
            await server.StartAsync();

            foreach (var device in devices)
            {
                await device.WaitForExitAsync(TimeSpan.FromMinutes(3));
            }

            await server.StopAsync();
            var stored = StoredMessageIds(server);
            foreach (var device in devices)
            {
                var acked = device.Events.Where(e => (string?)e["event"] == "acked").Select(e => (string)e["id"]!).ToList();
                Assert.Equal(MessagesPerDevice, acked.Distinct().Count());
                foreach (var id in acked)
                {
                    Assert.True(stored.TryGetValue(id, out var count), $"acknowledged message {id} is missing");
                    Assert.True(count == 1, $"message {id} is stored {count} times");
                }
            }

            Assert.Equal(Devices * MessagesPerDevice, stored.Count);
            await server.StartAsync();
        }
        finally
        {
            foreach (var device in devices)
            {
                await device.DisposeAsync();
            }
        }
    }

    private static Dictionary<string, long> StoredMessageIds(CentrumServer server)
    {
        using var duck = new DuckDBConnection($"Data Source={Path.Combine(server.DataFolder, "applications", "default", "telemetry.duckdb")}");
        duck.Open();
        using var command = duck.CreateCommand();
        command.CommandText = "SELECT message_id, count(*) FROM messages WHERE message_id IS NOT NULL GROUP BY message_id";
        using var reader = command.ExecuteReader();
        var result = new Dictionary<string, long>();
        while (reader.Read())
        {
            result[reader.GetString(0)] = reader.GetInt64(1);
        }

        return result;
    }
}
