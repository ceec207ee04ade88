using System.Diagnostics;
using Centrum.Security;

namespace Centrum.IntegrationTests.Gateway;

/// <summary>
/// MQTT 3.1.1 §3.1.2.10: the server closes a connection only when no control packet arrived within 1.5 × keep-alive,
/// and every packet moves that deadline. Each test spans several keep-alive periods. The cases on the default settings
/// share one server, each with its own device or registration.
/// </summary>
public sealed class KeepAliveTests(SharedServer shared) : IClassFixture<SharedServer>
{
    private const ushort KeepAlive = 2;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(KeepAlive * 1.5);

    /// <summary>Timer resolution, scheduling on a loaded two-core machine and the TLS close on loopback.</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_hub_connection_that_pings_stays_and_a_silent_one_is_closed_after_one_and_a_half_keep_alives()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var key = await server.AdminHttp().CreateDeviceAsync("pinger-1");
        var token = SharedAccessSignature.Create($"{server.HubHostName}/devices/pinger-1", Convert.FromBase64String(key), DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds());

        // The cases of this class run one after another: a keep-alive close logged from here on is this connection's.
        var closedBefore = KeepAliveCloses(server);
        await using var client = await RawMqttClient.ConnectAsync(server);
        Assert.Equal(0, await client.ConnectAsync("pinger-1", $"{server.HubHostName}/pinger-1/?api-version=2021-04-12", token, KeepAlive));
        await PingsKeepItOpenThenSilenceClosesItAsync(client);
        await Wait.UntilAsync(() => Task.FromResult(KeepAliveCloses(server) > closedBefore), TimeSpan.FromSeconds(10), "the server logs the keep-alive timeout");
    }

    [Fact]
    public async Task A_provisioning_connection_that_pings_stays_and_a_silent_one_is_closed_after_one_and_a_half_keep_alives()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var idScope = await IdScopeAsync(server);

        await using var client = await RawMqttClient.ConnectAsync(server);
        Assert.Equal(0, await client.ConnectAsync("sensor-7", $"{idScope}/registrations/sensor-7/api-version=2019-03-31", "SharedAccessSignature sr=x&sig=y&se=1&skn=registration", KeepAlive));
        await PingsKeepItOpenThenSilenceClosesItAsync(client);
    }

    [Fact]
    public async Task A_provisioning_connection_is_closed_when_idle_or_old_whatever_keep_alive_it_asks_for()
    {
        await using var server = await CentrumServer.StartAsync(new Dictionary<string, string>
        {
            ["Centrum:Gateway:ProvisioningIdleTimeout"] = "00:00:02",
            ["Centrum:Gateway:ProvisioningLifetime"] = "00:00:06",
        });
        var idScope = await IdScopeAsync(server);

        // Keep-alive 0 asks for no deadline at all (§3.1.2.10); a provisioning connection still gets one.
        await using (var silent = await RawMqttClient.ConnectAsync(server))
        {
            Assert.Equal(0, await silent.ConnectAsync("idle-1", $"{idScope}/registrations/idle-1/api-version=2019-03-31", null, 0));
            Assert.InRange(await silent.WaitForServerCloseAsync(TimeSpan.FromSeconds(30)), TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(2) + Margin);
        }

        // Pinging within the idle limit does not extend the lifetime.
        await using var busy = await RawMqttClient.ConnectAsync(server);
        var connected = Stopwatch.StartNew();
        Assert.Equal(0, await busy.ConnectAsync("busy-1", $"{idScope}/registrations/busy-1/api-version=2019-03-31", null, 1000));
        var closed = false;
        while (!closed && connected.Elapsed < TimeSpan.FromSeconds(20))
        {
            try
            {
                await busy.PingAsync(TimeSpan.FromSeconds(5));
                await Task.Delay(TimeSpan.FromSeconds(1)); // the client's ping interval, not a wait for the server
            }
            catch (IOException)
            {
                closed = true;
            }
        }

        Assert.True(closed, "the provisioning connection outlived its lifetime");
        Assert.InRange(connected.Elapsed, TimeSpan.FromSeconds(5.9), TimeSpan.FromSeconds(6) + TimeSpan.FromSeconds(2) + Margin);
    }

    /// <summary>Five keep-alive periods of PINGREQs at the keep-alive interval, then silence.</summary>
    private static async Task PingsKeepItOpenThenSilenceClosesItAsync(RawMqttClient client)
    {
        var connected = Stopwatch.StartNew();
        var pings = 0;
        // Timers may fire a little early, so ping until the stopwatch, not the count of delays, says five periods passed.
        while (connected.Elapsed < TimeSpan.FromSeconds(5 * KeepAlive))
        {
            // A client sends PINGREQ when it has sent nothing for one keep-alive period (§3.1.2.10); the server's
            // deadline is 1.5 periods, so each ping arrives with half a period to spare.
            await Task.Delay(TimeSpan.FromSeconds(KeepAlive));
            await client.PingAsync(TimeSpan.FromSeconds(KeepAlive));
            pings++;
        }

        Assert.True(pings >= 5, "the connection lasted five keep-alive periods");
        Assert.True(connected.Elapsed >= TimeSpan.FromSeconds(5 * KeepAlive), "the connection lasted five keep-alive periods");
        var silentFor = await client.WaitForServerCloseAsync(TimeSpan.FromSeconds(30));
        Assert.InRange(silentFor, Deadline - TimeSpan.FromMilliseconds(50), Deadline + Margin);
    }

    private static async Task<string> IdScopeAsync(CentrumServer server)
    {
        var http = server.AdminHttp();
        var probe = "scope-probe-" + Guid.NewGuid().ToString("N")[..8];
        await http.CreateDeviceAsync(probe);
        return (string)(await http.GetJsonAsync($"api/devices/{probe}/credentials"))["idScope"]!;
    }

    private static int KeepAliveCloses(CentrumServer server) =>
        server.Log.Split('\n').Count(l => l.Contains("keep-alive timeout", StringComparison.Ordinal));
}
