using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Principal;
using Centrum.Gateway.Internal;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;
using Microsoft.Azure.Amqp.Sasl;
using Microsoft.Azure.Amqp.Transport;

namespace Centrum.Gateway.Amqp;

/// <summary>
/// IoT Hub's AMQP 1.0 device endpoint on Microsoft.Azure.Amqp (the library the Azure SDKs and edgeHub's AMQP head use;
/// no codec of our own). Kestrel accepts the socket and does TLS as for MQTT; the connection enters the library through
/// <see cref="AcceptedTransportListener"/>, and the library's <see cref="AmqpTransportListener"/> negotiates the
/// protocol headers: a bare AMQP header (the C# and Node device SDKs send no SASL layer), or SASL ANONYMOUS, MSSBCBS
/// (the Azure IoT C SDK) or PLAIN (<c>{device}@sas.{hub}</c> with a SAS token as the password) first. This class is the
/// library's runtime provider: it makes connections, sessions and links, and routes each link by its address.
/// </summary>
internal sealed class AmqpGateway : IRuntimeProvider, IAsyncDisposable
{
    /// <summary>Time for the peer's Open after the headers (the library's default is a minute).</summary>
    private static readonly TimeSpan OpenTimeout = TimeSpan.FromSeconds(30);

    private static readonly string[] TokenTypes = ["azure-devices.net:sastoken", "servicebus.windows.net:sastoken"];

    private readonly GatewayServices _services;
    private readonly AmqpSettings _settings;
    private readonly AcceptedTransportListener _acceptor = new();
    private readonly AmqpTransportListener _listener;
    private readonly ConcurrentDictionary<(string, string), AmqpStreamTransport> _accepted = new();
    private readonly ConcurrentDictionary<AmqpConnection, AmqpDeviceConnection> _connections = new();
    private readonly ConditionalWeakTable<AmqpLink, string> _addresses = new();
    private readonly Lock _gate = new();
    private bool _listening;
    private int _disposed;

    public AmqpGateway(GatewayServices services)
    {
        _services = services;
        _settings = new AmqpSettings { RuntimeProvider = this, RequireSecureTransport = true, AllowAnonymousConnection = true };
        var sasl = new SaslTransportProvider();
        sasl.Versions.Add(new AmqpVersion(1, 0, 0));
        sasl.AddHandler(new SaslAnonymousHandler());
        sasl.AddHandler(new SaslAnonymousHandler("MSSBCBS"));
        sasl.AddHandler(new SaslPlainHandler(new TokenPlainAuthenticator()));
        _settings.TransportProviders.Add(sasl);
        var amqp = new AmqpTransportProvider();
        amqp.Versions.Add(new AmqpVersion(1, 0, 0));
        _settings.TransportProviders.Add(amqp);
        _listener = new AmqpTransportListener([_acceptor], _settings);
    }

    public int ConnectionCount => _connections.Count;

    /// <summary>Hands a TLS connection accepted by Kestrel to the library.</summary>
    public void Accept(AmqpStreamTransport transport)
    {
        lock (_gate)
        {
            if (!_listening)
            {
                _listener.Open();
                _listener.Listen(OnAcceptTransport);
                _listening = true;
            }
        }

        var key = Key(transport);
        _accepted[key] = transport;
        _ = transport.Ended.ContinueWith(_ => _accepted.TryRemove(new(key, transport)), TaskScheduler.Default);
        _acceptor.Accept(transport);
    }

    public AmqpConnection CreateConnection(TransportBase transport, ProtocolHeader protocolHeader, bool isInitiator, AmqpSettings amqpSettings, AmqpConnectionSettings connectionSettings) =>
        new(transport, protocolHeader, isInitiator, amqpSettings, connectionSettings);

    public AmqpSession CreateSession(AmqpConnection connection, AmqpSessionSettings settings) => new(connection, settings, this);

    public AmqpLink CreateLink(AmqpSession session, AmqpLinkSettings settings)
    {
        var serverReceives = settings.Role == true;
        var address = serverReceives ? (settings.Target as Target)?.Address?.ToString() : (settings.Source as Source)?.Address?.ToString();
        if (serverReceives)
        {
            // IoT Hub's message size, with room for the AMQP sections around it; the library detaches a link whose
            // peer sends more (amqp:link:message-size-exceeded).
            settings.MaxMessageSize = IotHub.IotHubLimits.MaxPacketSize;
            // Twin and method requests are answered one by one: a small window is enough.
            settings.TotalLinkCredit = AmqpAddress.Parse(address).Kind is AmqpNodeKind.Twin or AmqpNodeKind.Methods ? AmqpTwinLink.Credit : AmqpTelemetryLink.Credit;
            settings.AutoSendFlow = true;
        }

        AmqpLink link = serverReceives ? new ReceivingAmqpLink(session, settings) : new SendingAmqpLink(session, settings);
        _addresses.AddOrUpdate(link, address ?? string.Empty);
        return link;
    }

    public IAsyncResult BeginOpenLink(AmqpLink link, TimeSpan timeout, AsyncCallback callback, object state) =>
        ToApm(OpenLinkAsync(link), callback, state);

    public void EndOpenLink(IAsyncResult result) => ((Task)result).GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (var connection in _connections.Keys)
        {
            connection.SafeClose(new AmqpException(AmqpErrorCode.ConnectionForced, "The server is shutting down."));
        }

        foreach (var state in _connections.Values)
        {
            await state.ClosedAsync("server stopping");
        }

        _listener.SafeClose();
    }

    private static (string, string) Key(TransportBase transport) => (transport.LocalEndPoint ?? "", transport.RemoteEndPoint ?? "");

    private void OnAcceptTransport(TransportListener listener, TransportAsyncCallbackArgs args)
    {
        if (args.Exception is not null || args.Transport is null || args.UserToken is not ProtocolHeader header)
        {
            args.Transport?.SafeClose();
            return;
        }

        // Below a SASL layer the transport is ours still; the SASL transport reports its end points.
        if (!_accepted.TryGetValue(Key(args.Transport), out var stream))
        {
            args.Transport.SafeClose();
            return;
        }

        var connection = CreateConnection(args.Transport, header, false, _settings, new AmqpConnectionSettings
        {
            ContainerId = "Centrum_" + Guid.NewGuid().ToString("N"),
            IdleTimeOut = 240_000,
            MaxFrameSize = 65536,
        });
        var state = new AmqpDeviceConnection(connection, stream, _services);
        _connections[connection] = state;
        connection.Closed += (_, _) =>
        {
            _connections.TryRemove(connection, out _);
            var reason = connection.TerminalException?.Message ?? "connection closed";
            AmqpLog.ConnectionEnded(_services.Logger, state.Remote, reason);
            state.Observe(state.ClosedAsync(reason), "the connection's devices could not be let go");
            stream.SafeClose();
        };
        state.Observe(OpenAsync(connection, state), "the connection could not be opened");
    }

    private async Task OpenAsync(AmqpConnection connection, AmqpDeviceConnection state)
    {
        try
        {
            await connection.OpenAsync(OpenTimeout);
        }
        catch (Exception ex) when (ex is AmqpException or TimeoutException or IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            AmqpLog.OpenFailed(_services.Logger, state.Remote, ex.GetType().Name);
            connection.SafeClose();
            return;
        }

        // SASL PLAIN: the password is a SAS token, applied as a put-token for the device it names.
        if (connection.Principal is TokenPrincipal plain)
        {
            var (status, description) = await state.PutTokenAsync(plain.Identity.Name ?? "", plain.Token, CancellationToken.None);
            if (status != 200)
            {
                connection.SafeClose(new AmqpException(AmqpErrorCode.UnauthorizedAccess, description));
            }
        }
    }

    private async Task OpenLinkAsync(AmqpLink link)
    {
        var connection = link.Session.Connection;
        if (!_connections.TryGetValue(connection, out var state))
        {
            throw new AmqpException(AmqpErrorCode.IllegalState, "The connection is closing.");
        }

        _addresses.TryGetValue(link, out var text);
        var address = AmqpAddress.Parse(text);
        try
        {
            switch (address.Kind)
            {
                case AmqpNodeKind.Cbs when link is ReceivingAmqpLink requests:
                    requests.RegisterMessageListener(m => OnCbsRequest(state, requests, m));
                    break;
                case AmqpNodeKind.Cbs when link is SendingAmqpLink replies:
                    state.AddCbsReplyLink(replies);
                    break;
                case AmqpNodeKind.Telemetry when link is ReceivingAmqpLink events:
                    new AmqpTelemetryLink(events, Admit(state, address, link), _services).Start(state);
                    break;
                case AmqpNodeKind.Telemetry when link is SendingAmqpLink && address.ModuleId is not null:
                    // A module's input messages (ModuleClient listens on its events address): routed input messages
                    // come from IoT Edge routes, never from the cloud, so the link stays open and idle, as the MQTT
                    // subscription to devices/{d}/modules/{m}/inputs/# does.
                    Admit(state, address, link);
                    break;
                case AmqpNodeKind.CloudToDevice when link is SendingAmqpLink deviceBound:
                    // Modules receive no cloud-to-device messages (IoT Hub delivers them to devices only, as over MQTT).
                    var receiver = address.ModuleId is null ? Admit(state, address, link) : throw Unknown(state, address);
                    var pump = new AmqpCloudToDeviceLink(deviceBound, receiver, _services);
                    if (!receiver.TryAttachCloudToDevice(deviceBound, pump))
                    {
                        throw new AmqpException(AmqpErrorCode.ResourceLocked, "Another link already receives this device's cloud-to-device messages.");
                    }

                    pump.Start(state);
                    break;
                case AmqpNodeKind.Twin when link is ReceivingAmqpLink twinRequests:
                    new AmqpTwinLink(twinRequests, Admit(state, address, link), _services).Start(state);
                    break;
                case AmqpNodeKind.Twin when link is SendingAmqpLink twinReplies:
                    Admit(state, address, link).AttachTwinReplies(twinReplies);
                    break;
                case AmqpNodeKind.Methods when link is SendingAmqpLink methodRequests:
                    Admit(state, address, link).AttachMethodRequests(methodRequests);
                    break;
                case AmqpNodeKind.Methods when link is ReceivingAmqpLink methodAnswers:
                    Admit(state, address, link).AttachMethodAnswers(methodAnswers);
                    break;
                default:
                    throw new AmqpException(AmqpErrorCode.NotFound, "No node at this address serves a link in this direction.");
            }
        }
        catch (AmqpException ex)
        {
            _services.Metrics.Refused("amqp-link");
            AmqpLog.LinkRefused(_services.Logger, state.Remote, text is { Length: > 256 } ? text[..256] : text ?? "", ex.Error.Description ?? ex.Message);
            throw;
        }

        await Task.CompletedTask;
    }

    /// <summary>Not found, once the address is known to be covered: an unauthorised caller learns nothing more.</summary>
    private static AmqpException Unknown(AmqpDeviceConnection state, AmqpAddress address)
    {
        _ = state.Authorize(address);
        return new AmqpException(AmqpErrorCode.NotFound, "Modules receive no cloud-to-device messages.");
    }

    /// <summary>The device session a link of <paramref name="address"/> joins: refused unless a live token covers the address.</summary>
    private static AmqpDeviceSession Admit(AmqpDeviceConnection state, AmqpAddress address, AmqpLink link)
    {
        var session = state.Authorize(address);
        if (!session.TryAddLink(link))
        {
            throw new AmqpException(AmqpErrorCode.UnauthorizedAccess, "The device's session has ended.");
        }

        return session;
    }

    /// <summary>
    /// A CBS request (the AMQP CBS draft, and IoT Hub's use of it: <c>operation=put-token</c>, <c>type</c>, <c>name</c>
    /// the audience, the token as an AMQP string value). The request is settled at once; the answer carries
    /// <c>status-code</c> (int) and <c>status-description</c>, correlated by the request's message-id.
    /// </summary>
    private static void OnCbsRequest(AmqpDeviceConnection state, ReceivingAmqpLink link, AmqpMessage request)
    {
        link.DisposeMessage(request, AmqpConstants.AcceptedOutcome, settled: true, batchable: false);
        state.Observe(AnswerCbsAsync(state, request), "the put-token could not be answered");
    }

    private static async Task AnswerCbsAsync(AmqpDeviceConnection state, AmqpMessage request)
    {
        using (request)
        {
            var map = request.ApplicationProperties?.Map;
            // Values are matched by type: the library's typed lookup casts, and a number where a string belongs would throw.
            var operation = AmqpRequestMapping.Text(map, "operation");
            var type = AmqpRequestMapping.Text(map, "type");
            var name = AmqpRequestMapping.Text(map, "name");
            var token = request.BodyType == SectionFlag.AmqpValue ? request.ValueBody?.Value as string : null;
            var (status, description) =
                operation != "put-token" ? (400, "Only put-token is supported.")
                : type is null || !TokenTypes.Contains(type) ? (400, "The token type is not a SAS token type.")
                : string.IsNullOrEmpty(name) ? (400, "The audience (name) is missing.")
                : await state.PutTokenAsync(name, token, CancellationToken.None);

            var reply = AmqpMessage.Create();
            reply.Properties.CorrelationId = request.Properties?.MessageId;
            reply.ApplicationProperties.Map["status-code"] = status;
            reply.ApplicationProperties.Map["status-description"] = description;
            if (state.CbsReplyLink(request.Properties?.ReplyTo?.ToString()) is { } sender)
            {
                sender.SendMessageNoWait(reply, new ArraySegment<byte>(Guid.NewGuid().ToByteArray()), AmqpConstants.NullBinary);
            }
            else
            {
                reply.Dispose();
            }
        }
    }

    private static Task ToApm(Task task, AsyncCallback callback, object state)
    {
        var completion = new TaskCompletionSource(state);
        task.ContinueWith(
            t =>
            {
                if (t.IsFaulted)
                {
                    completion.TrySetException(t.Exception!.InnerExceptions);
                }
                else if (t.IsCanceled)
                {
                    completion.TrySetCanceled();
                }
                else
                {
                    completion.TrySetResult();
                }

                callback?.Invoke(completion.Task);
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return completion.Task;
    }

    /// <summary>Connections reach the library from Kestrel rather than from a socket of its own.</summary>
    private sealed class AcceptedTransportListener() : TransportListener("kestrel")
    {
        public void Accept(TransportBase transport) =>
            OnTransportAccepted(new TransportAsyncCallbackArgs { Transport = transport, CompletedSynchronously = false });

        protected override void OnListen()
        {
        }
    }

    /// <summary>SASL PLAIN's identity and password, checked as a put-token once the connection opens.</summary>
    private sealed class TokenPrincipal(string identity, string token) : GenericPrincipal(new GenericIdentity(identity, "SAS"), null)
    {
        public string Token { get; } = token;
    }

    private sealed class TokenPlainAuthenticator : ISaslPlainAuthenticator
    {
        public Task<IPrincipal> AuthenticateAsync(string identity, string password) =>
            Task.FromResult<IPrincipal>(new TokenPrincipal(identity, password));
    }
}
