using System.Text;

namespace Centrum.MicroBench;

/// <summary>What the Azure IoT device SDKs send, byte for byte in shape (IoT Hub docs "Communicate with an IoT hub using the MQTT protocol").</summary>
internal static class Packets
{
    public const string DeviceId = "thermostat-0042";

    /// <summary>The property bag the C and Node SDKs append to a telemetry topic: system properties percent-encoded, then application properties.</summary>
    public const string Bag = "%24.mid=5b1e7c2a-0042-4d7e-9a51-000000001234&%24.ct=application%2Fjson&%24.ce=utf-8&alert=on&site=plant-7";

    public const string TelemetryTopic = "devices/" + DeviceId + "/messages/events/" + Bag;

    public static readonly byte[] TelemetryBody = Encoding.UTF8.GetBytes("""{"temperature":21.5,"humidity":48.25,"battery":97,"status":"ok"}""");

    public static byte[] Connect()
    {
        var body = new List<byte>();
        String(body, "MQTT");
        body.AddRange([4, 0xC0, 0x00, 0xB4]); // level 4; user name, password, clean session 0; keep-alive 180 s
        String(body, DeviceId);
        String(body, $"centrum.example.com/{DeviceId}/?api-version=2021-04-12&DeviceClientType=azure-iot-device%2F1.18.3");
        String(body, "SharedAccessSignature sr=centrum.example.com%2Fdevices%2Fthermostat-0042&sig=2Zq9Vq3b0mK7l7r8QyYw1hQ8e%2BdE2b3Y8Yw1hQ8e2b4%3D&se=1795000000");
        return Frame(0x10, body);
    }

    public static byte[] Publish(byte qos)
    {
        var body = new List<byte>();
        String(body, TelemetryTopic);
        if (qos > 0)
        {
            body.AddRange([0x00, 0x2A]);
        }

        body.AddRange(TelemetryBody);
        return Frame((byte)(0x30 | (qos << 1)), body);
    }

    /// <summary>The SDKs subscribe one filter per SUBSCRIBE: methods, twin responses, desired patches.</summary>
    public static byte[] Subscribe()
    {
        var body = new List<byte> { 0x00, 0x07 };
        String(body, "$iothub/twin/res/#");
        body.Add(0);
        return Frame(0x82, body);
    }

    private static void String(List<byte> body, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        body.Add((byte)(bytes.Length >> 8));
        body.Add((byte)bytes.Length);
        body.AddRange(bytes);
    }

    private static byte[] Frame(byte header, List<byte> body)
    {
        var frame = new List<byte> { header };
        var length = body.Count;
        do
        {
            var b = (byte)(length & 0x7F);
            length >>= 7;
            frame.Add(length > 0 ? (byte)(b | 0x80) : b);
        }
        while (length > 0);
        frame.AddRange(body);
        return [.. frame];
    }
}
