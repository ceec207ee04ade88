using System.Text;

namespace Centrum.IntegrationTests.Gateway;

/// <summary>The DPS session on the device listener, driven byte by byte where the SDKs never go.</summary>
public sealed class ProvisioningSessionTests
{
    private const string ResponsesFilter = "$dps/registrations/res/#";

    [Fact]
    public async Task A_SUBSCRIBE_naming_the_response_filter_twice_is_granted_and_answers_still_arrive()
    {
        await using var server = await CentrumServer.StartAsync();
        var http = server.AdminHttp();
        await http.CreateDeviceAsync("scope-probe");
        var idScope = (string)(await http.GetJsonAsync("api/devices/scope-probe/credentials"))["idScope"]!;

        await using var client = await RawMqttClient.ConnectAsync(server);
        Assert.Equal(0, await client.ConnectAsync("sensor-9", $"{idScope}/registrations/sensor-9/api-version=2019-03-31", "SharedAccessSignature sr=x&sig=y&se=1&skn=registration", 60));

        // One SUBSCRIBE (packet id 1): the response filter at QoS 1, again at QoS 0, and a hub filter DPS does not offer.
        var subscribe = new List<byte> { 0, 1 };
        AddFilter(subscribe, ResponsesFilter, 1);
        AddFilter(subscribe, ResponsesFilter, 0);
        AddFilter(subscribe, "devices/sensor-9/#", 0);
        await client.SendAsync(0x82, [.. subscribe]);
        var (type, subAck) = await client.ReadPacketAsync(TimeSpan.FromSeconds(20)) ?? throw new IOException("closed instead of SUBACK");
        Assert.Equal(0x90, type);
        Assert.Equal([0, 1, 1, 0, 0x80], subAck);

        // A register request with a token that cannot verify is answered 401 on the response topic (MQTT 3.1.1 §3.8.4:
        // the later filter replaced the earlier one; the subscription holds).
        var publish = new List<byte>();
        AddString(publish, "$dps/registrations/PUT/iotdps-register/?$rid=7");
        publish.AddRange(Encoding.UTF8.GetBytes("""{"registrationId":"sensor-9"}"""));
        await client.SendAsync(0x30, [.. publish]);
        var (answerType, answer) = await client.ReadPacketAsync(TimeSpan.FromSeconds(20)) ?? throw new IOException("closed instead of answering");
        Assert.Equal(0x30, answerType);
        var topicLength = (answer[0] << 8) | answer[1];
        Assert.StartsWith("$dps/registrations/res/401/?$rid=7", Encoding.UTF8.GetString(answer, 2, topicLength), StringComparison.Ordinal);
    }

    private static void AddFilter(List<byte> to, string filter, byte qos)
    {
        AddString(to, filter);
        to.Add(qos);
    }

    private static void AddString(List<byte> to, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        to.Add((byte)(bytes.Length >> 8));
        to.Add((byte)bytes.Length);
        to.AddRange(bytes);
    }
}
