using System.Globalization;
using Centrum.Export.Destinations.Internal;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Centrum.Export.Destinations.Nats;

/// <summary>
/// Publishes each message to JetStream and returns when every publish of the batch is acknowledged by a stream.
/// Publishes are pipelined: each is written in batch order (which JetStream keeps, so each device's order holds)
/// without waiting for the previous acknowledgement.
/// </summary>
/// <remarks>
/// Each message carries <c>Nats-Msg-Id: {applicationId}/{exportId}/{destinationId}/{sequence}/{index}</c>, so a batch
/// sent again after a failure is dropped by the stream's duplicate window (two minutes by default) instead of stored
/// twice, while distinct messages never share an id: not two messages of one record (<c>index</c> counts them, in the
/// order a record always yields them), nor two applications' exports of the same name publishing into one stream; and
/// <c>centrum-device-id</c> and <c>centrum-sequence</c> headers.
/// </remarks>
internal sealed class NatsSender : IDestinationSender
{
    /// <summary>
    /// Publishes awaiting their acknowledgement at once. Bounds what a batch holds in memory when the server is slow
    /// to acknowledge; the window is wide enough to keep a local server's round trip from limiting throughput.
    /// </summary>
    internal const int MaxUnacknowledged = 256;

    private readonly NatsSettings _settings;
    private readonly DestinationContext _context;
    private readonly ILogger _logger;
    private readonly NatsSubjectTemplate _subjects;
    private readonly NatsConnection _connection;
    private readonly NatsJSContext _jetStream;
    private readonly ReachCheckedNatsSockets _sockets;

    public NatsSender(NatsSettings settings, DestinationContext context, ILoggerFactory loggers, ILogger logger, DestinationReach reach)
    {
        _settings = settings;
        _context = context;
        _logger = logger;
        _subjects = new NatsSubjectTemplate(settings.Subject, context);
        _connection = new NatsConnection(new NatsOpts
        {
            Url = settings.Url,
            Name = $"centrum-export-{context.ExportId}",
            LoggerFactory = loggers,
            AuthOpts = new NatsAuthOpts { Token = settings.Token, Username = settings.User, Password = settings.Password },
            SocketConnectionFactory = _sockets = new ReachCheckedNatsSockets(reach),
        });
        _jetStream = new NatsJSContext(_connection);
    }

    public async Task SendAsync(DeliveryBatch batch, CancellationToken cancellationToken)
    {
        if (batch.Messages.Count == 0)
        {
            return;
        }

        await ConnectAsync();
        var pending = new Queue<(ExportedMessage Message, string Subject, NatsJSPublishConcurrentFuture Ack)>();
        var ids = ExportMessageIds.For(_context, batch.Messages);
        try
        {
            for (var i = 0; i < batch.Messages.Count; i++)
            {
                var message = batch.Messages[i];
                if (pending.Count == MaxUnacknowledged)
                {
                    await AcknowledgedAsync(pending.Dequeue(), cancellationToken);
                }

                var subject = _subjects.SubjectFor(message.DeviceId);
                var headers = new NatsHeaders
                {
                    ["centrum-device-id"] = message.DeviceId,
                    ["centrum-sequence"] = message.Sequence.ToString(CultureInfo.InvariantCulture),
                };
                var options = new NatsJSPubOpts { MsgId = ids[i] };
                try
                {
                    var ack = await _jetStream.PublishConcurrentAsync(
                        subject, message.Body, NatsRawSerializer<ReadOnlyMemory<byte>>.Default, options, headers, cancellationToken);
                    pending.Enqueue((message, subject, ack));
                }
                catch (NatsException ex)
                {
                    throw new DestinationException($"Publishing to NATS at {_settings.Url} failed: {ex.Message}", inner: ex);
                }
            }

            while (pending.Count > 0)
            {
                await AcknowledgedAsync(pending.Dequeue(), cancellationToken);
            }
        }
        finally
        {
            while (pending.TryDequeue(out var abandoned))
            {
                await ReleaseAsync(abandoned.Ack);
            }
        }
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    private static DestinationRefusedException? Refusal(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is DestinationRefusedException refused)
            {
                return refused;
            }
        }

        return null;
    }

    private async Task ConnectAsync()
    {
        if (_connection.ConnectionState == NatsConnectionState.Open)
        {
            return;
        }

        try
        {
            await _connection.ConnectAsync();
            Log.NatsConnected(_logger, _context.ExportId, _settings.Url);
        }
        catch (NatsException ex) when ((Refusal(ex) ?? _sockets.LastRefusal) is { } refusal)
        {
            throw new DestinationException(refusal.Message, permanent: true, inner: ex);
        }
        catch (NatsException ex)
        {
            // The server's own word for refused credentials (nats-server's "Authorization Violation"): retrying
            // with the same credentials cannot pass, like an HTTP 401.
            var refused = ex.Message.Contains("Authorization Violation", StringComparison.OrdinalIgnoreCase)
                || ex.InnerException?.Message.Contains("Authorization Violation", StringComparison.OrdinalIgnoreCase) == true;
            throw refused
                ? new DestinationException($"NATS at {_settings.Url} refused the credentials of 'authorization'.", permanent: true, inner: ex)
                : new DestinationException($"Connecting to NATS at {_settings.Url} failed: {ex.Message}", inner: ex);
        }
    }

    private async Task AcknowledgedAsync((ExportedMessage Message, string Subject, NatsJSPublishConcurrentFuture Ack) publish, CancellationToken cancellationToken)
    {
        PubAckResponse ack;
        var released = false;
        try
        {
            ack = await publish.Ack.GetResponseAsync(cancellationToken);
        }
        catch (NatsException ex)
        {
            // NATS.Net ends the reply subscription of a request nobody took with "no responders", but reports that
            // only when the subscription is disposed; the acknowledgement itself just never comes.
            var ended = await ReleaseAsync(publish.Ack);
            released = true;
            if (ex is NatsNoRespondersException || ended is NatsNoRespondersException)
            {
                // Transient on purpose: the user fixes it by creating the stream, and the next retry then goes through.
                throw new DestinationException(
                    $"No JetStream stream at {_settings.Url} takes subject '{publish.Subject}'; create a stream whose subjects cover it (for example '{Cover(publish.Subject)}').",
                    inner: ex);
            }

            throw new DestinationException(
                $"NATS at {_settings.Url} did not acknowledge message {publish.Message.Sequence} on '{publish.Subject}': {ex.Message}", inner: ex);
        }
        finally
        {
            if (!released)
            {
                await ReleaseAsync(publish.Ack);
            }
        }

        if (ack.Error is { } error)
        {
            throw new DestinationException(
                $"JetStream stream refused message {publish.Message.Sequence} on '{publish.Subject}': {error.Description} (code {error.Code}, error {error.ErrCode}).");
        }
    }

    /// <summary>
    /// Ends the reply subscription of a publish and returns the error it ended with, if any: disposing a
    /// subscription that ended in an error (no responders, a timeout) throws that error again.
    /// </summary>
    private static async ValueTask<Exception?> ReleaseAsync(NatsJSPublishConcurrentFuture ack)
    {
        try
        {
            await ack.DisposeAsync();
            return null;
        }
        catch (NatsException ex)
        {
            return ex;
        }
    }

    /// <summary>A subject filter a user could give the stream: the subject with its last token as a wildcard.</summary>
    private static string Cover(string subject)
    {
        var dot = subject.LastIndexOf('.');
        return dot < 0 ? ">" : subject[..dot] + ".>";
    }
}
