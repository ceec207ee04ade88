using System.IO.Pipelines;
using System.Net.WebSockets;

namespace Centrum.Gateway.Transport;

/// <summary>
/// Presents a WebSocket as a byte stream: MQTT packets may span binary frames and a frame may hold several packets
/// (MQTT 3.1.1 §6; IoT Hub docs "Communicate with an IoT hub using the MQTT protocol", MQTT over WebSockets), so frames are only transport.
/// </summary>
internal sealed class WebSocketDuplexPipe : IDuplexPipe
{
    private readonly WebSocket _socket;
    private readonly Pipe _incoming = new();
    private readonly Pipe _outgoing = new();

    public WebSocketDuplexPipe(WebSocket socket)
    {
        _socket = socket;
    }

    public PipeReader Input => _incoming.Reader;

    public PipeWriter Output => _outgoing.Writer;

    /// <summary>Pumps both directions until either side ends.</summary>
    public async Task RunAsync(Func<Task> session, CancellationToken cancellationToken)
    {
        var receiving = ReceiveAsync(cancellationToken);
        var sending = SendAsync(cancellationToken);
        await session();
        await Task.WhenAll(receiving, sending).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _socket.Abort();
    }

    private async Task ReceiveAsync(CancellationToken cancellationToken)
    {
        var writer = _incoming.Writer;
        try
        {
            while (true)
            {
                var memory = writer.GetMemory(4096);
                var result = await _socket.ReceiveAsync(memory, cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                if (result.MessageType != WebSocketMessageType.Binary)
                {
                    break; // MQTT over WebSockets is binary only (MQTT 3.1.1 §6).
                }

                writer.Advance(result.Count);
                var flush = await writer.FlushAsync(cancellationToken);
                if (flush.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
        }
        finally
        {
            await writer.CompleteAsync();
        }
    }

    private async Task SendAsync(CancellationToken cancellationToken)
    {
        var reader = _outgoing.Reader;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken);
                foreach (var segment in result.Buffer)
                {
                    await _socket.SendAsync(segment, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);
                }

                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }

            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
        }
        finally
        {
            await reader.CompleteAsync();
        }
    }
}
