using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Centrum.IntegrationTests.Gateway;

/// <summary>
/// MQTT 3.1.1 written by hand over TLS: it sends exactly the packets a test asks for and nothing else (no automatic
/// PINGREQ), and can dial from a chosen loopback source address to stand for another host.
/// </summary>
internal sealed class RawMqttClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly Stream _stream;

    private RawMqttClient(Socket socket, Stream stream)
    {
        _socket = socket;
        _stream = stream;
        LastSent = Stopwatch.GetTimestamp();
    }

    /// <summary>Timestamp of the last packet this client sent, or of the connection if it sent none.</summary>
    public long LastSent { get; private set; }

    public static async Task<RawMqttClient> ConnectAsync(CentrumServer server, IPAddress? from = null, bool tls = true, int? receiveBufferBytes = null, CancellationToken cancellationToken = default)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (receiveBufferBytes is { } size)
        {
            socket.ReceiveBufferSize = size; // before connecting, so the window offered to the server stays small
        }

        if (from is not null)
        {
            socket.Bind(new IPEndPoint(from, 0));
        }

        await socket.ConnectAsync(new IPEndPoint(server.Address, 8883), cancellationToken);
        Stream stream = new NetworkStream(socket, ownsSocket: false);
        if (tls)
        {
            var ca = X509Certificate2.CreateFromPem(File.ReadAllText(server.CaCertificatePath));
            var ssl = new SslStream(stream, leaveInnerStreamOpen: false, (_, certificate, _, _) => CentrumServer.TrustedByCa(certificate, ca));
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = server.HubHostName }, cancellationToken);
            stream = ssl;
        }

        return new RawMqttClient(socket, stream);
    }

    /// <summary>Sends CONNECT and returns the CONNACK's return code.</summary>
    public async Task<int> ConnectAsync(string clientId, string userName, string? password, ushort keepAliveSeconds)
    {
        await SendConnectAsync(clientId, userName, password, keepAliveSeconds);
        var (type, body) = await ReadPacketAsync(TimeSpan.FromSeconds(20)) ?? throw new IOException("closed before CONNACK");
        if (type != 0x20 || body.Length != 2)
        {
            throw new IOException($"expected CONNACK, got packet type {type:x2}");
        }

        return body[1];
    }

    public Task SendConnectAsync(string clientId, string userName, string? password, ushort keepAliveSeconds)
    {
        var payload = new List<byte>();
        payload.AddRange([0, 4, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 4]);
        payload.Add((byte)(0x02 | 0x80 | (password is null ? 0 : 0x40)));
        payload.Add((byte)(keepAliveSeconds >> 8));
        payload.Add((byte)keepAliveSeconds);
        AddString(payload, clientId);
        AddString(payload, userName);
        if (password is not null)
        {
            AddString(payload, password);
        }

        return SendAsync(0x10, [.. payload]);
    }

    /// <summary>Subscribes to one filter at QoS 0 and waits for the SUBACK.</summary>
    public async Task SubscribeAsync(string filter)
    {
        var body = new List<byte> { 0, 1 };
        AddString(body, filter);
        body.Add(0);
        await SendAsync(0x82, [.. body]);
        var (type, _) = await ReadPacketAsync(TimeSpan.FromSeconds(20)) ?? throw new IOException("closed instead of SUBACK");
        if (type != 0x90)
        {
            throw new IOException($"expected SUBACK, got packet type {type:x2}");
        }
    }

    /// <summary>Sends PINGREQ and waits for the PINGRESP.</summary>
    public async Task PingAsync(TimeSpan timeout)
    {
        await SendAsync(0xC0, []);
        var (type, _) = await ReadPacketAsync(timeout) ?? throw new IOException("closed instead of PINGRESP");
        if (type != 0xD0)
        {
            throw new IOException($"expected PINGRESP, got packet type {type:x2}");
        }
    }

    /// <summary>Waits until the server closes the connection; returns how long after the last sent packet that was.</summary>
    public async Task<TimeSpan> WaitForServerCloseAsync(TimeSpan timeout)
    {
        while (await ReadPacketAsync(timeout) is not null)
        {
        }

        return Stopwatch.GetElapsedTime(LastSent);
    }

    public async Task SendAsync(byte header, byte[] body)
    {
        var frame = new List<byte> { header };
        var length = body.Length;
        do
        {
            var digit = (byte)(length % 128);
            length /= 128;
            frame.Add(length > 0 ? (byte)(digit | 0x80) : digit);
        }
        while (length > 0);
        frame.AddRange(body);
        await _stream.WriteAsync(frame.ToArray());
        await _stream.FlushAsync();
        LastSent = Stopwatch.GetTimestamp();
    }

    public Task SendRawAsync(byte[] bytes) => _stream.WriteAsync(bytes).AsTask();

    /// <returns>The next packet, or null once the server has closed the connection.</returns>
    public async Task<(byte Type, byte[] Body)?> ReadPacketAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            var header = new byte[1];
            if (!await ReadExactlyAsync(header, cts.Token))
            {
                return null;
            }

            int length = 0, shift = 0;
            var one = new byte[1];
            do
            {
                if (!await ReadExactlyAsync(one, cts.Token))
                {
                    return null;
                }

                length |= (one[0] & 0x7F) << shift;
                shift += 7;
            }
            while ((one[0] & 0x80) != 0);

            var body = new byte[length];
            return await ReadExactlyAsync(body, cts.Token) ? ((byte)(header[0] & 0xF0), body) : null;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no packet and no close within {timeout}");
        }
    }

    private async Task<bool> ReadExactlyAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            return await _stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken) == buffer.Length;
        }
        catch (IOException)
        {
            return false; // a reset is a close, too
        }
    }

    private static void AddString(List<byte> to, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        to.Add((byte)(bytes.Length >> 8));
        to.Add((byte)bytes.Length);
        to.AddRange(bytes);
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _socket.Dispose();
    }
}
