using System.Net;
using System.Text.Json.Nodes;
using MQTTnet;
using MQTTnet.Protocol;

namespace Centrum.IntegrationTests.Export;

/// <summary>
/// Transforms that cannot run, against the real server process: refused when saved; a message the transform fails on
/// is skipped and reported while the others are exported; a stored transform that no longer loads (saved before its
/// limit existed) holds only its destination, across restarts, instead of crash-looping the server.
/// </summary>
public sealed class TransformFailureTests
{
    private const string Preview = ExportTests.Preview;
    private const string Model = ExportTests.Model;

    [Fact]
    public async Task A_transform_of_3500_stages_is_refused_when_saved()
    {
        await using var server = await CentrumServer.StartAsync();
        var http = server.AdminHttp();
        await ExportTests.PutAsync(http, "dataExport/destinations/hook", """{"displayName":"Hook","type":"webhook@v1","url":"http://127.0.0.1:9/x"}""");
        var export = new JsonObject
        {
            ["displayName"] = "Deep",
            ["enabled"] = true,
            ["source"] = "telemetry",
            ["destinations"] = new JsonArray(new JsonObject { ["id"] = "hook", ["transform"] = Stages(3500) }),
        };
        var response = await http.PutAsync($"api/dataExport/exports/deep?{Preview}", CentrumServer.Json(export.ToJsonString()));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
        var error = JsonNode.Parse(text)!["error"]!;
        Assert.Contains("transform", (string?)error["message"], StringComparison.Ordinal);
        Assert.Contains("nests deeper", (string?)error["message"], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"api/dataExport/exports/deep?{Preview}")).StatusCode);
    }

    [Fact]
    public async Task Messages_the_transform_fails_on_are_skipped_and_reported_and_a_stored_transform_that_no_longer_loads_survives_restarts()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await CentrumServer.StartAsync();
        var http = server.AdminHttp();
        await ExportTests.CreateTemplateAsync(http);
        var key = await http.CreateDeviceAsync("boiler-1", $$"""{"template":"{{Model}}"}""");
        await ExportTests.PutAsync(http, "dataExport/destinations/hook", $$"""{"displayName":"Hook","type":"webhook@v1","url":"{{receiver.Url}}telemetry"}""");

        // 1 overflows to Infinity (a jq error); 2 builds a value nested deeper than JSON is written (a serializer error);
        // every other reading is exported.
        const string Transform = "if .telemetry.temperature == 1 then .telemetry.temperature * 1e308 * 1.8 "
            + "elif .telemetry.temperature == 2 then reduce range(80) as $i (.telemetry.temperature; [.]) "
            + "else {t: .telemetry.temperature} end";
        var export = new JsonObject
        {
            ["displayName"] = "Readings",
            ["enabled"] = true,
            ["source"] = "telemetry",
            ["destinations"] = new JsonArray(new JsonObject { ["id"] = "hook", ["transform"] = Transform }),
        };
        await ExportTests.PutAsync(http, "dataExport/exports/readings", export.ToJsonString());
        await PublishAsync(server, "boiler-1", key, [1, 2, 3, 4]);

        await Wait.UntilAsync(() => Task.FromResult(receiver.At("/telemetry").Count >= 2), TimeSpan.FromSeconds(30), "the readings the transform can handle");
        await Wait.UntilAsync(
            async () => (await ExportTests.GetAsync(http, "dataExport/exports/readings"))["errors"]!.ToJsonString().Contains("transformFailed", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), "the skipped messages reported");
        Assert.Equal([3.0, 4.0], receiver.At("/telemetry").Select(r => (double)r.Json["t"]!).Order());

        // A transform stored before the depth limit existed: the server starts, serves, and reports the destination.
        await server.StopAsync();
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(server.DataFolder, "centrum.db")};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE data_exports SET Destinations = $destinations WHERE Id = 'readings'";
            command.Parameters.AddWithValue("$destinations", new JsonArray(new JsonObject { ["id"] = "hook", ["transform"] = Stages(3500) }).ToJsonString());
            Assert.Equal(1, command.ExecuteNonQuery());
        }

        for (var restart = 0; restart < 2; restart++)
        {
            await server.StartAsync();
            http = server.AdminHttp();
            await Wait.UntilAsync(
                async () => (await ExportTests.GetAsync(http, "dataExport/exports/readings"))["errors"]!.ToJsonString().Contains("cannot run", StringComparison.Ordinal),
                TimeSpan.FromSeconds(30), "the destination reports the transform that cannot run");
            await PublishAsync(server, "boiler-1", key, [5]);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"api/devices/boiler-1?{DeviceApi.Version}")).StatusCode);
            await server.StopAsync();
        }

        await server.StartAsync();
        http = server.AdminHttp();
        Assert.DoesNotContain(receiver.At("/telemetry"), r => (double?)r.Json["t"] == 5);

        // Saving the export again with a transform that loads resumes the destination where it stopped.
        await ExportTests.PutAsync(http, "dataExport/exports/readings", export.ToJsonString());
        await Wait.UntilAsync(() => Task.FromResult(receiver.At("/telemetry").Count(r => (double?)r.Json["t"] == 5) == 2), TimeSpan.FromSeconds(30), "the held readings exported");
    }

    private static string Stages(int count) => string.Join(" | ", Enumerable.Repeat(".", count));

    private static async Task PublishAsync(CentrumServer server, string deviceId, string key, int[] temperatures)
    {
        using var client = MqttDevice.CreateClient();
        await client.ConnectAsync(MqttDevice.Options(server, deviceId, key, cleanSession: true));
        foreach (var temperature in temperatures)
        {
            await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"devices/{deviceId}/messages/events/%24.ct=application%2Fjson&%24.ce=utf-8")
                .WithPayload($$"""{"temperature":{{temperature}}}""").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        }

        await client.DisconnectAsync();
    }
}
