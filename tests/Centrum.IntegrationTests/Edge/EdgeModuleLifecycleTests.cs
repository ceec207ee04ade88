using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Centrum.Security;
using MQTTnet;
using MQTTnet.Protocol;

namespace Centrum.IntegrationTests.Edge;

/// <summary>
/// What a module's deletion, its device's deletion and its connection do to what is kept about them. Modules connect as
/// IoT Hub documents a module's MQTT connection ("Communicate with IoT Hub using the MQTT protocol"): client id
/// <c>{deviceId}/{moduleId}</c>, user name <c>{hub}/{deviceId}/{moduleId}/?api-version=…</c>, a SAS token for
/// <c>{hub}/devices/{deviceId}/modules/{moduleId}</c>. Each case has its own devices on one shared server.
/// </summary>
public sealed class EdgeModuleLifecycleTests(SharedServer shared) : IClassFixture<SharedServer>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Deleting_a_module_closes_its_connection_and_removes_its_twin_and_session()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var admin = server.AdminHttp();
        var edge = "edge-del-" + Guid.NewGuid().ToString("N")[..8];
        var key = await admin.CreateDeviceAsync(edge, """{"type":["iotEdge"]}""");
        using var hub = server.Http();
        var moduleKey = await CreateModuleAsync(server, hub, edge, key, "filter");

        using var module = MqttDevice.CreateClient();
        await module.ConnectAsync(ModuleOptions(server, edge, "filter", moduleKey));
        await ReportAsync(module, """{"threshold":5}""");
        await Wait.UntilAsync(async () => (int?)(await ModulePropertiesAsync(admin, edge, "filter"))["threshold"] == 5, Deadline, "the module's report is kept");

        var deleted = await EdgeModuleTests.SendAsync(server, hub, HttpMethod.Delete, $"devices/{edge}/modules/filter", key, edge, ifMatch: "*");
        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
        await MqttDevice.WaitForDisconnectAsync(module, Deadline);

        // Created again under the same id, the module starts clean: no twin and no persistent session of the old one.
        var newKey = await CreateModuleAsync(server, hub, edge, key, "filter");
        Assert.Null((await ModulePropertiesAsync(admin, edge, "filter"))["threshold"]);
        using var again = MqttDevice.CreateClient();
        var connected = await again.ConnectAsync(ModuleOptions(server, edge, "filter", newKey));
        Assert.False(connected.IsSessionPresent);
        await again.DisconnectAsync();
    }

    [Fact]
    public async Task Deleting_an_edge_device_closes_its_modules_connections_and_removes_their_rows()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var admin = server.AdminHttp();
        var edge = "edge-gone-" + Guid.NewGuid().ToString("N")[..8];
        var key = await admin.CreateDeviceAsync(edge, """{"type":["iotEdge"]}""");
        using var hub = server.Http();
        var moduleKey = await CreateModuleAsync(server, hub, edge, key, "filter");
        using var module = MqttDevice.CreateClient();
        await module.ConnectAsync(ModuleOptions(server, edge, "filter", moduleKey));
        await ReportAsync(module, """{"threshold":7}""");
        await Wait.UntilAsync(async () => (int?)(await ModulePropertiesAsync(admin, edge, "filter"))["threshold"] == 7, Deadline, "the module's report is kept");

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"api/devices/{edge}?{DeviceApi.Version}")).StatusCode);
        await MqttDevice.WaitForDisconnectAsync(module, Deadline);
        // The old module key no longer authenticates.
        using var refused = MqttDevice.CreateClient();
        Assert.NotEqual(MqttClientConnectResultCode.Success, (await refused.ConnectAsync(ModuleOptions(server, edge, "filter", moduleKey))).ResultCode);

        // The device created again has only the runtime's own modules, and its module created again starts clean.
        key = await admin.CreateDeviceAsync(edge, """{"type":["iotEdge"]}""");
        var listed = await EdgeModuleTests.SendAsync(server, hub, HttpMethod.Get, $"devices/{edge}/modules", key, edge);
        Assert.Equal(["$edgeAgent", "$edgeHub"], listed.Body!.AsArray().Select(m => (string?)m!["moduleId"]));
        var newKey = await CreateModuleAsync(server, hub, edge, key, "filter");
        Assert.Null((await ModulePropertiesAsync(admin, edge, "filter"))["threshold"]);
        using var again = MqttDevice.CreateClient();
        Assert.False((await again.ConnectAsync(ModuleOptions(server, edge, "filter", newKey))).IsSessionPresent);
        await again.DisconnectAsync();
    }

    [Fact]
    public async Task A_module_connection_records_no_connectivity_on_its_device()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var admin = server.AdminHttp();
        var edge = "edge-conn-" + Guid.NewGuid().ToString("N")[..8];
        var key = await admin.CreateDeviceAsync(edge, """{"type":["iotEdge"]}""");
        using var hub = server.Http();
        var moduleKey = await CreateModuleAsync(server, hub, edge, key, "filter");

        using (var module = MqttDevice.CreateClient())
        {
            await module.ConnectAsync(ModuleOptions(server, edge, "filter", moduleKey));
            await ReportAsync(module, """{"alive":true}""");
            var device = await admin.GetJsonAsync($"api/devices/{edge}");
            Assert.False((bool)device["connected"]!);
            await module.DisconnectAsync();
        }

        // The device itself connects (announcing a model id, which marks its own record) and leaves. Its records are
        // kept in the order they were asked for, after any the module's connection made, so once the device's own
        // disconnection is in the log every record the module could have made is too.
        const string model = "dtmi:centrum:test:edgeConnectivity;1";
        using (var device = MqttDevice.CreateClient())
        {
            var token = SharedAccessSignature.Create($"{server.HubHostName}/devices/{edge}", Convert.FromBase64String(key), DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds());
            await device.ConnectAsync(MqttDevice.Options(server, edge, $"{server.HubHostName}/{edge}/?api-version=2021-04-12&model-id={model}", token, cleanSession: true));
            await device.DisconnectAsync();
        }

        List<(string Kind, string? Data)> events = [];
        await Wait.UntilAsync(() =>
        {
            events = ConnectivityEvents(server, edge);
            return Task.FromResult(events.Count > 0 && events[^1].Kind == "Disconnected" && events.Any(e => e.Data?.Contains(model, StringComparison.Ordinal) == true));
        }, Deadline, "the device's own connection and disconnection are recorded");
        Assert.Equal([("Connected", true), ("Disconnected", false)], events.Select(e => (e.Kind, e.Data?.Contains(model, StringComparison.Ordinal) == true)));
    }

    internal static async Task<string> CreateModuleAsync(CentrumServer server, HttpClient hub, string edge, string key, string moduleId)
    {
        var created = await EdgeModuleTests.SendAsync(server, hub, HttpMethod.Put, $"devices/{edge}/modules/{moduleId}", key, edge, $$"""{"moduleId":"{{moduleId}}","deviceId":"{{edge}}"}""");
        Assert.Equal(HttpStatusCode.OK, created.Status);
        return (string)created.Body!["authentication"]!["symmetricKey"]!["primaryKey"]!;
    }

    internal static MqttClientOptions ModuleOptions(CentrumServer server, string deviceId, string moduleId, string key)
    {
        var token = SharedAccessSignature.Create($"{server.HubHostName}/devices/{deviceId}/modules/{moduleId}", Convert.FromBase64String(key), DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds());
        return MqttDevice.Options(server, $"{deviceId}/{moduleId}", $"{server.HubHostName}/{deviceId}/{moduleId}/?api-version=2021-04-12", token, cleanSession: false);
    }

    /// <summary>A reported patch as IoT Hub's MQTT twin topics take it, answered on the subscribed response topic.</summary>
    private static async Task ReportAsync(IMqttClient client, string patch)
    {
        var answered = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ApplicationMessageReceivedAsync += e =>
        {
            answered.TrySetResult(e.ApplicationMessage.Topic);
            return Task.CompletedTask;
        };
        await client.SubscribeAsync("$iothub/twin/res/#", MqttQualityOfServiceLevel.AtMostOnce);
        await client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic("$iothub/twin/PATCH/properties/reported/?$rid=1")
            .WithPayload(Encoding.UTF8.GetBytes(patch))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
        Assert.StartsWith("$iothub/twin/res/204/", await answered.Task.WaitAsync(Deadline));
    }

    private static async Task<JsonObject> ModulePropertiesAsync(HttpClient admin, string edge, string moduleId) =>
        await admin.GetJsonAsync($"api/devices/{edge}/modules/{moduleId}/properties?unmodeled=true");

    private static List<(string Kind, string? Data)> ConnectivityEvents(CentrumServer server, string deviceId)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(server.DataFolder, "centrum.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT Kind, Data FROM device_events WHERE DeviceId = $device AND Kind IN ('Connected', 'Disconnected') ORDER BY Id";
        command.Parameters.AddWithValue("$device", deviceId);
        using var reader = command.ExecuteReader();
        var events = new List<(string, string?)>();
        while (reader.Read())
        {
            events.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1)));
        }

        return events;
    }
}
