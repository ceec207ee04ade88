using DuckDB.NET.Data;
using MQTTnet;
using MQTTnet.Protocol;

namespace Centrum.IntegrationTests.Gateway;

/// <summary>
/// Duplicate detection by <c>$.mid</c> through the real gateway: a device that reboots and restarts its message
/// counter has every message stored (as IoT Hub does); a message re-sent unchanged, as after a lost PUBACK, is stored
/// once. (A re-send across a server kill is covered by <see cref="DurabilityTests"/>.)
/// </summary>
public sealed class DuplicateMessageTests
{
    [Fact]
    public async Task Reused_message_ids_with_new_content_are_stored_and_an_unchanged_resend_is_not()
    {
        await using var server = await CentrumServer.StartAsync();
        var http = server.AdminHttp();
        var key = await http.CreateDeviceAsync("counter-1");

        await PublishAsync(server, key, ("1", """{"n":1}"""), ("2", """{"n":2}"""));
        // The device reboots: its counter starts again at 1, with new readings.
        await PublishAsync(server, key, ("1", """{"n":3}"""), ("2", """{"n":4}"""));
        // The PUBACK of the last message was lost: the device sends it again, unchanged, on a new connection.
        await PublishAsync(server, key, ("2", """{"n":4}"""));

        await server.StopAsync();
        var stored = StoredBodies(server);
        Assert.Equal(["1:{\"n\":1}", "1:{\"n\":3}", "2:{\"n\":2}", "2:{\"n\":4}"], stored.Order(StringComparer.Ordinal));
        await server.StartAsync();
    }

    private static async Task PublishAsync(CentrumServer server, string key, params (string MessageId, string Body)[] messages)
    {
        using var client = MqttDevice.CreateClient();
        await client.ConnectAsync(MqttDevice.Options(server, "counter-1", key, cleanSession: true));
        foreach (var (messageId, body) in messages)
        {
            // QoS 1: the PUBACK comes after the commit, so each message is stored (or found a duplicate) before the next.
            await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"devices/counter-1/messages/events/%24.mid={messageId}&%24.ct=application%2Fjson")
                .WithPayload(body).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        }

        await client.DisconnectAsync();
    }

    private static List<string> StoredBodies(CentrumServer server)
    {
        using var duck = new DuckDBConnection($"Data Source={Path.Combine(server.DataFolder, "applications", "default", "telemetry.duckdb")}");
        duck.Open();
        using var command = duck.CreateCommand();
        command.CommandText = "SELECT message_id, decode(body) FROM messages WHERE device_id = 'counter-1'";
        using var reader = command.ExecuteReader();
        var result = new List<string>();
        while (reader.Read())
        {
            result.Add($"{reader.GetString(0)}:{reader.GetString(1)}");
        }

        return result;
    }
}
