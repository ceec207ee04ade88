using System.Text;

namespace Centrum.LoadGen;

/// <summary>The few MQTT 3.1.1 packets the raw-socket clients send, encoded by hand (MQTT 3.1.1 §3.1, §3.8).</summary>
internal static class MqttFrames
{
    /// <summary>A CONNECT with a user name and, when given, a password.</summary>
    public static byte[] Connect(string clientId, string userName, string? password, bool cleanSession, int keepAliveSeconds)
    {
        var flags = (byte)(0x80 | (password is null ? 0 : 0x40) | (cleanSession ? 0x02 : 0));
        var body = new List<byte> { 0, 4, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 4, flags, (byte)(keepAliveSeconds >> 8), (byte)keepAliveSeconds };
        AddString(body, clientId);
        AddString(body, userName);
        if (password is not null)
        {
            AddString(body, password);
        }

        return Frame(0x10, body);
    }

    /// <summary>A SUBSCRIBE to one topic filter at QoS 0.</summary>
    public static byte[] Subscribe(ushort packetId, string topicFilter)
    {
        var body = new List<byte> { (byte)(packetId >> 8), (byte)packetId };
        AddString(body, topicFilter);
        body.Add(0);
        return Frame(0x82, body);
    }

    private static void AddString(List<byte> body, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
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
            var digit = (byte)(length % 128);
            length /= 128;
            frame.Add(length > 0 ? (byte)(digit | 0x80) : digit);
        }
        while (length > 0);
        frame.AddRange(body);
        return [.. frame];
    }
}
