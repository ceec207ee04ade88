using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using MQTTnet;
using MQTTnet.Protocol;

namespace Centrum.IntegrationTests.Identity;

/// <summary>
/// Applications (tenants) through the administration API on the management port and through the command line:
/// created, listed, suspended (devices and REST callers refused, live connections closed), resumed and deleted with
/// all their data, while other applications go on untouched.
/// </summary>
public sealed class ApplicationAdministrationTests
{
    [Fact]
    public async Task Applications_are_created_listed_suspended_resumed_and_deleted_with_their_data()
    {
        await using var server = await CentrumServer.StartAsync();
        var key = await server.RunCliAsync("admin", "key");
        using var management = new HttpClient { BaseAddress = new Uri($"http://{server.Address}:9464/") };
        Assert.Equal(HttpStatusCode.Unauthorized, (await management.GetAsync("admin/applications")).StatusCode);
        management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-key");
        Assert.Equal(HttpStatusCode.Unauthorized, (await management.GetAsync("admin/applications")).StatusCode);
        management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        Assert.Equal(HttpStatusCode.NotFound, (await server.AdminHttp().GetAsync("admin/applications")).StatusCode); // never on the public port

        var created = await management.PutAsync("admin/applications/tenant-b", CentrumServer.Json("""{"displayName":"Tenant B","telemetryRetention":"7.00:00:00"}"""));
        var tenant = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
        Assert.True(created.StatusCode == HttpStatusCode.OK, tenant.ToJsonString());
        Assert.Equal($"tenant-b.{CentrumServer.HostName}", (string?)tenant["hubHostName"]);
        Assert.Equal(HttpStatusCode.Conflict, (await management.PutAsync("admin/applications/tenant-b", CentrumServer.Json("{}"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await management.PutAsync("admin/applications/Not_A_Label", CentrumServer.Json("{}"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await management.PutAsync("admin/applications/tenant-x", CentrumServer.Json("""{"displayName":7}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await management.PutAsync("admin/applications/tenant-x", CentrumServer.Json("not json"))).StatusCode);
        var listed = JsonNode.Parse(await management.GetStringAsync("admin/applications"))!["value"]!.AsArray().Select(a => (string)a!["id"]!).ToList();
        Assert.Contains("default", listed);
        Assert.Contains("tenant-b", listed);
        Assert.Contains("id=tenant-b", await server.RunCliAsync("app", "list"), StringComparison.Ordinal);

        // The tenant's own token, device and telemetry.
        using var rest = server.Http(await server.CreateTokenAsync("b-admin", application: "tenant-b"));
        var deviceKey = await rest.CreateDeviceAsync("meter-b");
        using var device = MqttDevice.CreateClient();
        await device.ConnectAsync(MqttDevice.Options(server, "meter-b", deviceKey, cleanSession: true, hubHost: (string)tenant["hubHostName"]!));
        await device.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("devices/meter-b/messages/events/").WithPayload("""{"power":1}""").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        var tenantFolder = Path.Combine(server.DataFolder, "applications", "tenant-b");
        Assert.True(Directory.Exists(tenantFolder));

        // Suspended: the live connection closes, REST and new connections are refused; the default application goes on.
        Assert.Equal(HttpStatusCode.NoContent, (await management.PostAsync("admin/applications/tenant-b/suspend", null)).StatusCode);
        await MqttDevice.WaitForDisconnectAsync(device, TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.Forbidden, (await rest.GetAsync($"api/devices?{DeviceApi.Version}")).StatusCode);
        using (var again = MqttDevice.CreateClient())
        {
            var refused = await again.ConnectAsync(MqttDevice.Options(server, "meter-b", deviceKey, cleanSession: true, hubHost: (string)tenant["hubHostName"]!));
            Assert.NotEqual(MqttClientConnectResultCode.Success, refused.ResultCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await server.AdminHttp().GetAsync($"api/devices?{DeviceApi.Version}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await management.PostAsync("admin/applications/tenant-b/resume", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await rest.GetAsync($"api/devices/meter-b?{DeviceApi.Version}")).StatusCode);

        // Deleted: gone from the list, its token and devices refused, its telemetry folder removed.
        Assert.Equal(HttpStatusCode.NoContent, (await management.DeleteAsync("admin/applications/tenant-b")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await management.GetAsync("admin/applications/tenant-b")).StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, (await rest.GetAsync($"api/devices?{DeviceApi.Version}")).StatusCode);
        Assert.False(Directory.Exists(tenantFolder));
        Assert.Equal(HttpStatusCode.Conflict, (await management.DeleteAsync("admin/applications/default")).StatusCode);

        // The command line does the same on the data folder.
        await server.RunCliAsync("app", "create", "--id", "tenant-c");
        Assert.Equal("suspended", await server.RunCliAsync("app", "suspend", "--id", "tenant-c"));
        Assert.Contains("id=tenant-c hubHostName=tenant-c.centrum.test", await server.RunCliAsync("app", "list"), StringComparison.Ordinal);
        Assert.Equal("deleted", await server.RunCliAsync("app", "delete", "--id", "tenant-c"));
        Assert.DoesNotContain("tenant-c", await server.RunCliAsync("app", "list"), StringComparison.Ordinal);

        // Verbs that use an application ask the catalog whether it exists, and create nothing when it does not.
        var noToken = await Assert.ThrowsAsync<InvalidOperationException>(() => server.RunCliAsync("token", "create", "--app", "tenant-c", "--id", "late"));
        Assert.Contains("The application 'tenant-c' does not exist.", noToken.Message, StringComparison.Ordinal);
        var noMember = await Assert.ThrowsAsync<InvalidOperationException>(() => server.RunCliAsync("user", "create", "--email", "late@example.com", "--password", "Correct-horse-12", "--app", "tenant-c"));
        Assert.Contains("The application 'tenant-c' does not exist.", noMember.Message, StringComparison.Ordinal);
        Assert.Contains("created late@example.com", await server.RunCliAsync("user", "create", "--email", "late@example.com", "--password", "Correct-horse-12"), StringComparison.Ordinal);
        var unaffected = await server.AdminHttp().GetAsync($"api/devices?{DeviceApi.Version}");
        Assert.True(unaffected.StatusCode == HttpStatusCode.OK, await unaffected.Content.ReadAsStringAsync());
    }
}
