using System.Diagnostics;
using System.Threading.Channels;
using Centrum.Gateway.Internal;
using Centrum.Telemetry;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;

namespace Centrum.Gateway.Amqp;

/// <summary>
/// The device's sender link on <c>/devices/{id}/messages/events</c>. Messages are taken in order; each is accepted
/// only once the telemetry store has committed it (a batch once all of its messages have), as MQTT's PUBACK follows the
/// commit. The link grants <see cref="Credit"/> at a time, so the device sends no further ahead than that.
/// </summary>
internal sealed class AmqpTelemetryLink
{
    public const uint Credit = 100;

    private readonly ReceivingAmqpLink _link;
    private readonly AmqpDeviceSession _session;
    private readonly GatewayServices _services;
    private readonly Channel<AmqpMessage> _queue = Channel.CreateUnbounded<AmqpMessage>(new UnboundedChannelOptions { SingleReader = true });

    public AmqpTelemetryLink(ReceivingAmqpLink link, AmqpDeviceSession session, GatewayServices services)
    {
        _link = link;
        _session = session;
        _services = services;
    }

    public void Start(AmqpDeviceConnection connection)
    {
        var closed = new CancellationTokenSource();
        _link.Closed += (_, _) =>
        {
            _queue.Writer.TryComplete();
            try
            {
                closed.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The pump has already finished.
            }
        };
        _link.RegisterMessageListener(m => _queue.Writer.TryWrite(m));
        connection.Observe(PumpAsync(closed), "telemetry could not be stored");
    }

    private async Task PumpAsync(CancellationTokenSource closed)
    {
        await Task.Yield();
        using var owned = closed;
        var token = closed.Token;
        try
        {
            await foreach (var message in _queue.Reader.ReadAllAsync(token))
            {
                if (!await HandleAsync(message, token))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        finally
        {
            while (_queue.Reader.TryRead(out var left))
            {
                left.Dispose();
            }
        }
    }

    private async Task<bool> HandleAsync(AmqpMessage message, CancellationToken cancellationToken)
    {
        var received = Stopwatch.GetTimestamp();
        var identity = _session.Identity;
        var now = _services.Time.GetUtcNow();
        List<TelemetryMessage> converted = [];
        if (message.MessageFormat == AmqpConstants.AmqpBatchedMessageFormat)
        {
            if (AmqpTelemetryMapping.Unbatch(message) is not { } parts)
            {
                return Refuse(message, new Error { Condition = AmqpErrorCode.MessageSizeExceeded, Description = "The batch is larger than 256 KB or holds more than 500 messages." });
            }

            foreach (var part in parts)
            {
                using (part)
                {
                    var result = AmqpTelemetryMapping.DecodeToTelemetry(part, identity, now);
                    if (result.Error is not null)
                    {
                        return Refuse(message, result.Error);
                    }

                    converted.Add(result.Message!);
                }
            }
        }
        else
        {
            var result = AmqpTelemetryMapping.DecodeToTelemetry(message, identity, now);
            if (result.Error is not null)
            {
                return Refuse(message, result.Error);
            }

            converted.Add(result.Message!);
        }

        var commits = new List<Task<StoreResult>>(converted.Count);
        foreach (var telemetry in converted)
        {
            _services.Metrics.Received();
            try
            {
                if (await _services.Telemetry.SubmitAsync(telemetry, waitForRoom: true, cancellationToken) is { } stored)
                {
                    commits.Add(stored);
                }
            }
            catch (TelemetryStoreException ex)
            {
                // As over MQTT: nothing is acknowledged and the device re-sends after it reconnects.
                return Refuse(message, new Error { Condition = AmqpErrorCode.InternalError, Description = ex.Message });
            }
        }

        _ = AcceptWhenCommittedAsync(message, commits, received);
        return true;
    }

    private async Task AcceptWhenCommittedAsync(AmqpMessage message, List<Task<StoreResult>> commits, long received)
    {
        try
        {
            await Task.WhenAll(commits).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TelemetryStoreException or OperationCanceledException or ObjectDisposedException)
        {
            Refuse(message, new Error { Condition = AmqpErrorCode.InternalError, Description = "The message could not be stored." });
            return;
        }

        _link.DisposeMessage(message, AmqpConstants.AcceptedOutcome, settled: true, batchable: true);
        message.Dispose();
        var latency = Stopwatch.GetElapsedTime(received);
        foreach (var _ in commits)
        {
            _services.Metrics.Acknowledged(latency);
        }
    }

    /// <summary>Rejects the message and detaches the link with IoT Hub's condition, as MQTT closes the connection for the same fault.</summary>
    private bool Refuse(AmqpMessage message, Error error)
    {
        _link.DisposeMessage(message, new Rejected { Error = error }, settled: true, batchable: false);
        message.Dispose();
        _services.Metrics.Refused("amqp-telemetry");
        AmqpLog.TelemetryDetached(_services.Logger, _session.Identity.Application.Id, _session.Identity.DeviceId, error.Description);
        _link.SafeClose(new AmqpException(error));
        return false;
    }
}
