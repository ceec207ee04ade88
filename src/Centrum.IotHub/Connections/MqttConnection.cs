using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.IO.Pipelines;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using Centrum.IotHub.Mqtt;

namespace Centrum.IotHub.Connections;

/// <summary>
/// One device connection, over TLS or a WebSocket, of whichever endpoint accepted it (<see cref="IMqttEndpoint"/>): a read loop that decodes packets and hands them, in order, to the
/// session CONNECT opened, and a write loop that sends what was queued, holding each telemetry PUBACK until its message
/// is durably stored. PUBACKs thus leave in the order their PUBLISHes came (MQTT 3.1.1 §4.6) while many messages of one
/// device are in flight. The connection owns the transport, the keep-alive and the close; the handlers return results
/// and only this class catches.
/// </summary>
[SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable", Justification = "The connection's lifetime is RunAsync: its end (EndAsync) disposes the keep-alive timer and the closing token source; nobody holds a connection after that.")]
internal sealed class MqttConnection
{
    /// <summary>Before CONNECT nothing larger than this is read: a CONNECT with a long SAS token is a few hundred bytes.</summary>
    private const int MaxConnectPacketSize = 16 * 1024;

    /// <summary>Queued frames (a refusing CONNACK, the last PUBACKs) may take this long to leave before the transport closes.</summary>
    private static readonly TimeSpan DrainWait = TimeSpan.FromSeconds(5);

    private readonly IDuplexPipe _transport;
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IMqttSession? _session;
    private bool _connected;
    private KeepAlive? _keepAlive;
    private string? _closeReason;
    private bool _graceful;

    public MqttConnection(
        IDuplexPipe transport, string remote, IMqttEndpoint endpoint, X509Certificate2? clientCertificate = null, IConnectionTicket? admission = null)
    {
        _transport = transport;
        Remote = remote;
        Endpoint = endpoint;
        ClientCertificate = clientCertificate;
        Admission = admission;
        Outbound = new OutboundQueue(endpoint.Limits.OutboundQueueCapacity, endpoint.Limits.OutboundQueueBytes);
    }

    public string Remote { get; }

    public IMqttEndpoint Endpoint { get; }

    public X509Certificate2? ClientCertificate { get; }

    public IConnectionTicket? Admission { get; }

    public OutboundQueue Outbound { get; }

    /// <summary>Completes when the connection has ended and cleaned up.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Ends the connection; safe from any thread, first reason wins.</summary>
    /// <remarks>
    /// Stops reading at once and unblocks a flush waiting on a peer that does not read. It never cancels a write in
    /// progress: cancelling a write under TLS can cut a record in half and corrupt the stream.
    /// </remarks>
    public void Close(string reason)
    {
        SetReason(reason);
        try
        {
            _closing.Cancel();
            _transport.Output.CancelPendingFlush();
        }
        catch (ObjectDisposedException)
        {
        }
        catch (InvalidOperationException)
        {
        }

        // A command waiting for this device is answered "not online" now, not at the end of its timeout.
        Volatile.Read(ref _session)?.Closing();
    }

    /// <summary>
    /// Watches work a handler runs beside the read loop (the cloud-to-device pump): if it fails, the connection closes
    /// with <paramref name="reason"/>.
    /// </summary>
    public void Observe(Task work, string reason) =>
        work.ContinueWith(
            static (t, s) =>
            {
                var (connection, reason) = ((MqttConnection, string))s!;
                connection.Failed(t.Exception!.GetBaseException(), reason);
            },
            (this, reason),
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

    public async Task RunAsync(CancellationToken connectionClosed)
    {
        using var registration = connectionClosed.Register(static s => ((MqttConnection)s!).Close("transport closed"), this);
        var writer = Task.Run(WriteLoopAsync, CancellationToken.None);
        _keepAlive = new KeepAlive(Endpoint.Time, Endpoint.Limits.ConnectTimeout, Close);
        try
        {
            await ReadLoopAsync(_closing.Token);
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is IOException or ConnectionAbortedException or ObjectDisposedException)
        {
            Close("transport error: " + ex.Message);
        }
        catch (Exception ex)
        {
            Failed(ex, "internal error");
        }
        finally
        {
            await EndAsync(writer);
        }
    }

    private void SetReason(string reason) => Interlocked.CompareExchange(ref _closeReason, reason, null);

    /// <summary>
    /// The one place a handler's failure is logged. Cancellation and a closed queue are what closing does to work in
    /// progress, so once the connection is closing they are routine; anything else is an error of the server.
    /// </summary>
    private void Failed(Exception exception, string reason)
    {
        if (_closing.IsCancellationRequested && exception is OperationCanceledException or ChannelClosedException or ObjectDisposedException)
        {
            Endpoint.StoppedByClose(this, exception);
            return;
        }

        Endpoint.Failed(this, exception);
        Close(reason);
    }

    private async Task ReadLoopAsync(CancellationToken cancellationToken)
    {
        var input = _transport.Input;
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            try
            {
                while (true)
                {
                    // Anything but CONNECT as the first byte is garbage: drop it now rather than wait for its "length".
                    if (!_connected && !buffer.IsEmpty && buffer.FirstSpan[0] != 0x10)
                    {
                        Violation("first packet was not CONNECT");
                        return;
                    }

                    var limit = _connected ? IotHubLimits.MaxPacketSize : MaxConnectPacketSize;
                    var status = MqttDecoder.TryRead(ref buffer, limit, out var packet);
                    if (status == MqttDecodeStatus.Incomplete)
                    {
                        break;
                    }

                    if (status != MqttDecodeStatus.Packet)
                    {
                        Violation(status switch
                        {
                            MqttDecodeStatus.TooLarge => "packet too large",
                            MqttDecodeStatus.Unsupported => "QoS 2 is not supported",
                            _ => "malformed packet",
                        });
                        return;
                    }

                    _keepAlive!.PacketStarted();
                    var handled = await DispatchAsync(packet!, cancellationToken);
                    _keepAlive.PacketHandled();
                    if (!Apply(handled))
                    {
                        return;
                    }
                }
            }
            finally
            {
                input.AdvanceTo(buffer.Start, buffer.End);
            }

            if (result.IsCompleted)
            {
                Close("peer closed the connection");
                return;
            }
        }
    }

    private ValueTask<PacketResult> DispatchAsync(MqttPacket packet, CancellationToken cancellationToken)
    {
        if (_session is not { } session)
        {
            return _connected || packet is not ConnectPacket connect
                ? ValueTask.FromResult(PacketResult.Violation("first packet was not CONNECT"))
                : ConnectAsync(connect, cancellationToken);
        }

        return packet switch
        {
            PublishPacket publish => session.PublishAsync(publish, cancellationToken),
            SubscribePacket subscribe => session.SubscribeAsync(subscribe, cancellationToken),
            UnsubscribePacket unsubscribe => session.UnsubscribeAsync(unsubscribe, cancellationToken),
            PubAckPacket ack => session.AcknowledgedAsync(ack.PacketId, cancellationToken),
            PingReqPacket => PingAsync(cancellationToken),
            DisconnectPacket => Disconnect(),
            _ => ValueTask.FromResult(PacketResult.Violation("second CONNECT")),
        };
    }

    /// <returns>false when the connection must end.</returns>
    private bool Apply(PacketResult result)
    {
        switch (result.Outcome)
        {
            case PacketOutcome.Continue:
                return true;
            case PacketOutcome.Violation:
                Violation(result.Reason!);
                return false;
            case PacketOutcome.End:
                SetReason(result.Reason!);
                return false;
            default:
                Close(result.Reason!);
                return false;
        }
    }

    private async ValueTask<PacketResult> PingAsync(CancellationToken cancellationToken)
    {
        await Outbound.WriteAsync(Connections.Outbound.PingResp, cancellationToken);
        return PacketResult.Continue;
    }

    private ValueTask<PacketResult> Disconnect()
    {
        _graceful = true;
        return ValueTask.FromResult(PacketResult.Close("device disconnected"));
    }

    private async ValueTask<PacketResult> ConnectAsync(ConnectPacket connect, CancellationToken cancellationToken)
    {
        _connected = true;
        var outcome = connect.ProtocolName != "MQTT" || connect.ProtocolLevel != 4
            ? ConnectOutcome.Refused(ConnectReturnCode.UnacceptableProtocolVersion, "only MQTT 3.1.1 is supported")
            : await Endpoint.ConnectAsync(this, connect, cancellationToken);

        if (outcome.Session is not { } session)
        {
            Endpoint.ConnectRefused(this, connect.ClientId, outcome.Code, outcome.Reason!);
            var code = outcome.Code;
            await Outbound.WriteAsync(Connections.Outbound.Frame(w => MqttEncoder.ConnAck(w, false, code)), cancellationToken);
            return PacketResult.End("refused: " + outcome.Reason);
        }

        Volatile.Write(ref _session, session);
        if (_closing.IsCancellationRequested)
        {
            // Closed while the session was being opened: Close found no session to tell.
            session.Closing();
        }

        _keepAlive!.Connected(outcome.IdleTimeout, outcome.Expiry, outcome.ExpiryReason!);
        var sessionPresent = outcome.SessionPresent;
        await Outbound.WriteAsync(Connections.Outbound.Frame(w => MqttEncoder.ConnAck(w, sessionPresent, ConnectReturnCode.Accepted)), cancellationToken);
        await session.StartedAsync(cancellationToken);
        return PacketResult.Continue;
    }

    private async Task WriteLoopAsync()
    {
        var output = _transport.Output;
        var reader = Outbound.Reader;
        try
        {
            while (await reader.WaitToReadAsync())
            {
                while (reader.TryRead(out var item))
                {
                    if (item.Commit is { } commit)
                    {
                        if (!commit.IsCompleted)
                        {
                            // Send what is ready before waiting for the next commit.
                            if ((await output.FlushAsync()).IsCanceled)
                            {
                                return;
                            }

                            await commit.WaitAsync(_closing.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                            if (_closing.IsCancellationRequested)
                            {
                                return;
                            }
                        }

                        if (!commit.IsCompletedSuccessfully)
                        {
                            Close("the message could not be stored");
                            return;
                        }

                        MqttEncoder.PubAck(output, item.PacketId);
                        Endpoint.Acknowledged(Stopwatch.GetElapsedTime(item.ReceivedAt));
                    }
                    else if (item.Encode is { } encode)
                    {
                        encode(output);
                        Outbound.Sent(item);
                    }
                    else
                    {
                        MqttEncoder.PingResp(output);
                    }
                }

                var flush = await output.FlushAsync();
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            Close("write failed: " + ex.Message);
        }
    }

    private async Task EndAsync(Task writer)
    {
        Outbound.Complete();
        // Let queued frames go out, but not wait forever on a peer that does not read.
        await writer.WaitAsync(DrainWait).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Close("ended");
        await writer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _keepAlive?.Dispose();
        var reason = _closeReason ?? "ended";
        if (Volatile.Read(ref _session) is { } session)
        {
            try
            {
                await session.EndAsync(reason, _graceful);
            }
            catch (Exception ex)
            {
                Failed(ex, reason);
            }
        }
        else
        {
            Endpoint.Ended(this, reason);
        }

        // Admission's slot is released before the transport completes: completing the output closes the socket, and a
        // device that sees the close and reconnects at once must find the slot free.
        Admission?.Dispose();
        try
        {
            await _transport.Input.CompleteAsync();
            await _transport.Output.CompleteAsync();
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
        }

        _closing.Dispose();
        _completion.TrySetResult();
    }

    private void Violation(string reason)
    {
        Endpoint.ProtocolViolation(this, reason);
        SetReason(reason);
    }
}
