using Centrum.Devices;
using Centrum.Gateway.Internal;
using Centrum.IotHub.Mqtt;
using Centrum.Security;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;

namespace Centrum.Gateway.Amqp;

/// <summary>
/// The devices of one AMQP connection, each authorised by its own put-token on <c>$cbs</c> (IoT Hub docs "Control
/// access to IoT Hub", claims-based security for AMQP) and keyed by identity: links name their device in their address
/// and open only for a device this connection holds a live token for (edgeHub's <c>CbsNode</c> and
/// <c>ClientConnectionsHandler</c> follow the same rule: never one device per connection).
/// </summary>
internal sealed class AmqpDeviceConnection
{
    /// <summary>How long a new session waits for the one it takes over to finish.</summary>
    private static readonly TimeSpan TakeoverWait = TimeSpan.FromSeconds(5);

    /// <summary>Devices one connection may carry (C# SDK pools hold up to 995 devices per connection by default).</summary>
    public const int MaxDevices = 1000;

    private readonly Dictionary<string, AmqpDeviceSession> _devices = new(StringComparer.Ordinal);
    private readonly List<SendingAmqpLink> _cbsReplies = [];
    private readonly Lock _gate = new();
    private bool _closed;

    public AmqpDeviceConnection(AmqpConnection connection, AmqpStreamTransport transport, GatewayServices services)
    {
        Connection = connection;
        Transport = transport;
        Services = services;
        Remote = transport.RemoteEndPoint;
    }

    public AmqpConnection Connection { get; }

    public AmqpStreamTransport Transport { get; }

    public GatewayServices Services { get; }

    public string Remote { get; }

    public int DeviceCount
    {
        get
        {
            lock (_gate)
            {
                return _devices.Count;
            }
        }
    }

    public void AddCbsReplyLink(SendingAmqpLink link)
    {
        lock (_gate)
        {
            _cbsReplies.Add(link);
        }

        link.Closed += (_, _) =>
        {
            lock (_gate)
            {
                _cbsReplies.Remove(link);
            }
        };
    }

    /// <summary>
    /// The link a put-token's answer goes out on: the <c>$cbs</c> sender whose target is the request's reply-to (the
    /// library's <c>RequestResponseAmqpLink</c>, used by the C# SDK), else the connection's only <c>$cbs</c> sender (the
    /// Node SDK replies to <c>cbs</c>, which names no link).
    /// </summary>
    public SendingAmqpLink? CbsReplyLink(string? replyTo)
    {
        lock (_gate)
        {
            foreach (var link in _cbsReplies)
            {
                if (replyTo is not null && link.Settings.Target is Target target && string.Equals(target.Address?.ToString(), replyTo, StringComparison.Ordinal))
                {
                    return link;
                }
            }

            return _cbsReplies.Count > 0 ? _cbsReplies[^1] : null;
        }
    }

    /// <summary>
    /// Checks a SAS token put on <c>$cbs</c> by the same <see cref="Authentication.DeviceAuthenticator"/> that checks an MQTT
    /// CONNECT (the token names its identity in <c>sr</c>; edgeHub's <c>CbsNode</c> reads it there too) and, for a new
    /// identity, opens its device session, taking over any other connection of the same identity.
    /// </summary>
    public async Task<(int Status, string Description)> PutTokenAsync(string audience, string? tokenText, CancellationToken cancellationToken)
    {
        if (!SharedAccessSignature.TryParse(tokenText, out var token))
        {
            return Refuse(audience, 400, "The token is not a SharedAccessSignature.");
        }

        if (AmqpAddress.ParseTokenResource(token!.Resource) is not { } signer)
        {
            return Refuse(audience, 401, "The token's resource names no device or module.");
        }

        // The identity is the audience's (the C# SDK names {host}/devices/{d}[/modules/{m}]; Node names the token's sr),
        // else the token's own. They differ only for an IoT Edge hub's token put for a client of its device scope
        // (edgeHub's upstream AMQP connection pool: the client's audience, the $edgeHub token), which the authenticator
        // admits by its on-behalf-of rule with the one-hop auth-chain that rule allows, or for a token that does not
        // name the audience, which it refuses.
        var resource = AmqpAddress.ParseTokenResource(audience) ?? signer;
        var clientId = resource.ModuleId is null ? resource.DeviceId : $"{resource.DeviceId}/{resource.ModuleId}";
        var userName = $"{resource.Host}/{clientId}/?api-version=2021-04-12";
        if (signer.ModuleId == ModuleIds.EdgeHub && (signer.DeviceId != resource.DeviceId || resource.ModuleId != ModuleIds.EdgeHub))
        {
            var chain = clientId == signer.DeviceId ? signer.DeviceId : $"{clientId};{signer.DeviceId}";
            userName += "&auth-chain=" + Uri.EscapeDataString(chain);
        }

        var connect = new ConnectPacket("MQTT", 4, clientId, CleanSession: true, 0, userName, tokenText, null, null, 0);
        var result = await Services.Authenticator.AuthenticateAsync(connect, null, cancellationToken);
        if (result.Identity is not { } identity)
        {
            Services.Metrics.Refused("amqp-token");
            return Refuse(audience, 401, result.Reason);
        }

        AmqpDeviceSession session;
        lock (_gate)
        {
            if (_closed)
            {
                return (503, "The connection is closing.");
            }

            if (_devices.TryGetValue(clientId, out var existing) && !existing.IsClosed && existing.Identity.Application.Id == identity.Application.Id)
            {
                existing.Renew(identity);
                return (200, "OK");
            }

            if (_devices.Count >= MaxDevices)
            {
                return Refuse(audience, 403, "The connection carries as many devices as it may.");
            }

            session = new AmqpDeviceSession(this, identity);
            _devices[clientId] = session;
        }

        using (var admitted = Services.ConnectionRate.AttemptAcquire())
        {
            if (!admitted.IsAcquired)
            {
                lock (_gate)
                {
                    _devices.Remove(clientId);
                }

                return Refuse(audience, 503, "Too many new connections.");
            }
        }

        Transport.Admission?.Authenticated();
        var applicationId = identity.Application.Id;
        if (Services.Connections.Register(applicationId, clientId, session) is { } previous)
        {
            Log.TakenOver(Services.Logger, applicationId, identity.DeviceId);
            previous.Close("a new connection took over");
            await previous.Completion.WaitAsync(TakeoverWait, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        session.Started();
        return (200, "OK");
    }

    /// <summary>The device session a link of <paramref name="address"/> belongs to; refuses the link when no live token covers it.</summary>
    public AmqpDeviceSession Authorize(AmqpAddress address)
    {
        lock (_gate)
        {
            if (address.ClientId is { } clientId && _devices.TryGetValue(clientId, out var session) && !session.IsClosed
                && session.Identity.CredentialExpiry > Services.Time.GetUtcNow())
            {
                return session;
            }
        }

        throw new AmqpException(AmqpErrorCode.UnauthorizedAccess, "No valid put-token on $cbs authorizes this address.");
    }

    /// <summary>A device session ended: forget it, and when it was taken over and was the connection's last, close the connection.</summary>
    public void Ended(AmqpDeviceSession session, string reason)
    {
        bool empty;
        lock (_gate)
        {
            if (_devices.TryGetValue(session.Identity.ClientId, out var current) && ReferenceEquals(current, session))
            {
                _devices.Remove(session.Identity.ClientId);
            }

            empty = _devices.Count == 0 && !_closed;
        }

        if (empty && reason == "a new connection took over")
        {
            Connection.SafeClose(new AmqpException(AmqpErrorCode.DetachForced, reason));
        }
    }

    /// <summary>The connection has closed: every device on it disconnects.</summary>
    public async Task ClosedAsync(string reason)
    {
        AmqpDeviceSession[] sessions;
        lock (_gate)
        {
            _closed = true;
            sessions = [.. _devices.Values];
        }

        foreach (var session in sessions)
        {
            await session.EndAsync(reason, null);
        }
    }

    public void Observe(Task work, string reason) =>
        work.ContinueWith(
            static (t, s) =>
            {
                var (connection, reason) = ((AmqpDeviceConnection, string))s!;
                AmqpLog.Failed(connection.Services.Logger, t.Exception!.GetBaseException(), connection.Remote);
                connection.Connection.SafeClose(new AmqpException(AmqpErrorCode.InternalError, reason));
            },
            (this, reason),
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

    private (int, string) Refuse(string audience, int status, string reason)
    {
        AmqpLog.TokenRefused(Services.Logger, Remote, audience.Length > 256 ? audience[..256] : audience, reason);
        return (status, reason);
    }
}
