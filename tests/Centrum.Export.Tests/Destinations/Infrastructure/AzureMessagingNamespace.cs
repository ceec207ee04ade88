using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Encoding;
using Microsoft.Azure.Amqp.Framing;
using Microsoft.Azure.Amqp.Sasl;
using Microsoft.Azure.Amqp.Transport;

namespace Centrum.Export.Tests.Destinations.Infrastructure;

/// <summary>A message the namespace accepted on an entity, one per message of a batched transfer.</summary>
internal sealed record AcceptedMessage(
    string Entity, byte[] Body, string? ContentType, string? MessageId, string? PartitionKey, IReadOnlyDictionary<string, object> Properties);

/// <summary>
/// A stand-in for an Azure Event Hubs or Service Bus namespace, since neither service can run here: an AMQP 1.0 server
/// built on Microsoft.Azure.Amqp (the library both SDKs use) listening on loopback with TLS, that does what the
/// services' AMQP protocol guides describe a client meets when it sends:
/// <list type="bullet">
/// <item>SASL with the MSSBCBS mechanism, then claims-based authorization on the <c>$cbs</c> node as AMQP Claims-Based
/// Security v1.0 (OASIS working draft) specifies it: a <c>put-token</c> request with <c>name</c> (the audience), <c>type</c>
/// (<c>servicebus.windows.net:sastoken</c>) and the token as body, answered on the reply link with <c>status-code</c>
/// 200 when the SharedAccessSignature's HMAC-SHA256 matches the namespace key and 401 otherwise ("AMQP 1.0 in Azure
/// Service Bus and Event Hubs protocol guide", section "Claims-based authorization"; "Authenticate access to Event Hubs
/// resources using shared access signatures");</item>
/// <item>a link attached to an entity only after a token for it was accepted on the connection, with the entity's
/// maximum message size announced on attach, and batched transfers (message format 0x80013700, each Data section one
/// encoded message) unpacked;</item>
/// <item>the <c>$management</c> READ of an event hub's properties, should a producer ask for it ("AMQP 1.0 in Azure
/// Service Bus and Event Hubs protocol guide", section "AMQP management").</item>
/// </list>
/// It is not a broker: accepted messages are only recorded, for the test to read.
/// </summary>
internal sealed class AzureMessagingNamespace : IRuntimeProvider, IAsyncDisposable
{
    public const string KeyName = "RootManageSharedAccessKey";

    /// <summary>What the namespace announces as its maximum message size, as a Standard tier namespace does.</summary>
    public const ulong MaxMessageSize = 1024 * 1024;

    private readonly HashSet<string> _entities;
    private readonly ConcurrentDictionary<(AmqpConnection, string), SendingAmqpLink> _replyLinks = new();
    private readonly ConditionalWeakTable<AmqpConnection, ConcurrentDictionary<string, bool>> _authorized = new();
    private readonly ConcurrentDictionary<AmqpConnection, bool> _connections = new();
    private readonly X509Certificate2 _certificate;
    private AmqpSettings? _settings;
    private TransportListener? _listener;

    private AzureMessagingNamespace(IEnumerable<string> entities)
    {
        _entities = new HashSet<string>(entities, StringComparer.OrdinalIgnoreCase);
        (_certificate, CertificatePem) = SelfSigned();
        Port = FreePort();
    }

    /// <summary>The key tokens are checked against; a test rotates it to make the client's key wrong.</summary>
    public string Key { get; set; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public int Port { get; }

    /// <summary>The namespace's self-signed certificate, for the destination's <c>trustedCertificate</c>.</summary>
    public string CertificatePem { get; }

    public ConcurrentQueue<AcceptedMessage> Accepted { get; } = new();

    /// <summary>Connections not yet closed; after <see cref="Stop"/>, closing takes a moment.</summary>
    public int OpenConnections => _connections.Count;

    /// <summary>Put-token requests answered 401.</summary>
    public int Refusals => Volatile.Read(ref _refusals);

    private int _refusals;

    public static AzureMessagingNamespace Start(params string[] entities)
    {
        var server = new AzureMessagingNamespace(entities);
        server.Listen();
        return server;
    }

    public string ConnectionString(string entity, string? key = null) =>
        $"Endpoint=sb://127.0.0.1:{Port}/;SharedAccessKeyName={KeyName};SharedAccessKey={key ?? Key};EntityPath={entity}";

    /// <summary>Starts listening again on the same port after <see cref="Stop"/>.</summary>
    public void Listen()
    {
        var settings = new AmqpSettings { RuntimeProvider = this, RequireSecureTransport = true, AllowAnonymousConnection = true };
        var sasl = new SaslTransportProvider();
        sasl.Versions.Add(new AmqpVersion(1, 0, 0));
        // Both SDKs ask for MSSBCBS: authentication follows on $cbs, so SASL itself checks nothing.
        sasl.AddHandler(new SaslAnonymousHandler("MSSBCBS"));
        settings.TransportProviders.Add(sasl);
        var amqp = new AmqpTransportProvider();
        amqp.Versions.Add(new AmqpVersion(1, 0, 0));
        settings.TransportProviders.Add(amqp);
        var tcp = new TcpTransportSettings { Host = IPAddress.Loopback.ToString(), Port = Port };
        var tls = new TlsTransportSettings(tcp) { Certificate = _certificate, IsInitiator = false };
        _settings = settings;
        _listener = new AmqpTransportListener([tls.CreateListener()], settings);
        _listener.Listen(OnAcceptTransport);
    }

    /// <summary>Stops listening and closes every connection, as a namespace that becomes unreachable.</summary>
    public void Stop()
    {
        _listener?.Close();
        _listener = null;
        foreach (var connection in _connections.Keys)
        {
            connection.SafeClose();
        }
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        _certificate.Dispose();
        return ValueTask.CompletedTask;
    }

    public IReadOnlyList<AcceptedMessage> On(string entity) => [.. Accepted.Where(m => string.Equals(m.Entity, entity, StringComparison.OrdinalIgnoreCase))];

    private void OnAcceptTransport(TransportListener listener, TransportAsyncCallbackArgs args)
    {
        var connectionSettings = new AmqpConnectionSettings { ContainerId = "centrum-test-namespace", MaxFrameSize = 64 * 1024, IdleTimeOut = 120_000 };
        var connection = CreateConnection(args.Transport, (ProtocolHeader)args.UserToken, false, _settings!, connectionSettings);
        _connections[connection] = true;
        connection.Closed += (_, _) => _connections.TryRemove(connection, out _);
        _ = OpenAsync(connection);
    }

    private static async Task OpenAsync(AmqpConnection connection)
    {
        try
        {
            await connection.OpenAsync(TimeSpan.FromSeconds(30));
        }
        catch (Exception ex) when (ex is AmqpException or IOException or TimeoutException or OperationCanceledException or ObjectDisposedException)
        {
            connection.SafeClose(ex);
        }
    }

    public AmqpConnection CreateConnection(TransportBase transport, ProtocolHeader protocolHeader, bool isInitiator, AmqpSettings amqpSettings, AmqpConnectionSettings connectionSettings) =>
        new(transport, protocolHeader, false, amqpSettings, connectionSettings);

    public AmqpSession CreateSession(AmqpConnection connection, AmqpSessionSettings settings) => throw new InvalidOperationException();

    public AmqpLink CreateLink(AmqpSession session, AmqpLinkSettings settings)
    {
        if (settings.Role == true)
        {
            settings.MaxMessageSize = MaxMessageSize;
            return new ReceivingAmqpLink(session, settings);
        }

        return new SendingAmqpLink(session, settings);
    }

    public IAsyncResult BeginOpenLink(AmqpLink link, TimeSpan timeout, AsyncCallback callback, object state)
    {
        var connection = link.Session.Connection;
        var address = link.IsReceiver ? ((Target)link.Settings.Target).Address?.ToString() : ((Source)link.Settings.Source).Address?.ToString();
        var node = NodeOf(address ?? throw new AmqpException(AmqpErrorCode.InvalidField, "The link has no address."));
        if (node is "$cbs" or "$management" || node.EndsWith("/$management", StringComparison.OrdinalIgnoreCase))
        {
            if (link is ReceivingAmqpLink requests)
            {
                requests.RegisterMessageListener(request => OnRequest(connection, node, requests, request));
                requests.SetTotalLinkCredit(100, true, true);
            }
            else
            {
                var replyTo = ((Target)link.Settings.Target).Address.ToString()!;
                var sender = (SendingAmqpLink)link;
                _replyLinks[(connection, replyTo)] = sender;
                sender.SafeAddClosed((_, _) => _replyLinks.TryRemove((connection, replyTo), out _));
            }
        }
        else
        {
            var entity = EntityOf(node) ?? throw new AmqpException(AmqpErrorCode.NotFound, $"The messaging entity '{node}' could not be found.");
            if (!Authorized(connection).ContainsKey(entity))
            {
                throw new AmqpException(AmqpErrorCode.UnauthorizedAccess, $"Unauthorized access to '{entity}': no accepted token for it on this connection.");
            }

            if (link is not ReceivingAmqpLink receiver)
            {
                throw new AmqpException(AmqpErrorCode.NotAllowed, "This namespace stand-in only receives.");
            }

            receiver.RegisterMessageListener(message => OnMessage(entity, receiver, message));
        }

        return new CompletedResult(callback, state);
    }

    public void EndOpenLink(IAsyncResult result)
    {
    }

    /// <summary>The node a link address names: its path without the leading slash, from an absolute or a relative address.</summary>
    private static string NodeOf(string address) =>
        (Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Scheme is "amqp" or "amqps" or "sb" ? uri.AbsolutePath : address).Trim('/');

    /// <summary>The entity a node belongs to: an event hub's partitions (<c>{hub}/Partitions/{id}</c>) are the hub's.</summary>
    private string? EntityOf(string node)
    {
        var name = node.Split('/')[0];
        return _entities.Contains(name) ? name : null;
    }

    private ConcurrentDictionary<string, bool> Authorized(AmqpConnection connection) => _authorized.GetValue(connection, _ => new(StringComparer.OrdinalIgnoreCase));

    private void OnRequest(AmqpConnection connection, string node, ReceivingAmqpLink link, AmqpMessage request)
    {
        link.AcceptMessage(request, false);
        var (status, description, body) = node == "$cbs" ? PutToken(connection, request) : Management(request);
        var response = body is null ? AmqpMessage.Create() : AmqpMessage.Create(new AmqpValue { Value = body });
        response.ApplicationProperties.Map["status-code"] = status;
        response.ApplicationProperties.Map["status-description"] = description;
        response.Properties.CorrelationId = request.Properties.MessageId;
        response.Settled = true;
        var replyTo = request.Properties.ReplyTo?.ToString();
        if (replyTo is not null && _replyLinks.TryGetValue((connection, replyTo), out var sender))
        {
            sender.SendMessageNoWait(response, AmqpConstants.EmptyBinary, AmqpConstants.NullBinary);
        }
    }

    /// <summary>AMQP CBS put-token: the token must be a SharedAccessSignature signed with the namespace key, not expired.</summary>
    private (int Status, string Description, object? Body) PutToken(AmqpConnection connection, AmqpMessage request)
    {
        var map = request.ApplicationProperties.Map;
        if (map["operation"] as string != "put-token" || map["name"] is not string audience)
        {
            return (400, "Only put-token with a name is supported.", null);
        }

        if (map["type"] as string != "servicebus.windows.net:sastoken" || request.ValueBody?.Value is not string token || !Valid(token, audience))
        {
            Interlocked.Increment(ref _refusals);
            return (401, "InvalidSignature: The token has an invalid signature.", null);
        }

        if (EntityOf(NodeOf(audience)) is { } entity)
        {
            Authorized(connection)[entity] = true;
        }

        return (202, "Accepted", null);
    }

    /// <summary>
    /// "SharedAccessSignature sr={url-encoded resource}&amp;sig={url-encoded base64 HMAC-SHA256}&amp;se={expiry}&amp;skn={key name}",
    /// the signature over the encoded resource, a line feed and the expiry.
    /// </summary>
    private bool Valid(string token, string audience)
    {
        const string Prefix = "SharedAccessSignature ";
        if (!token.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var fields = token[Prefix.Length..].Split('&').Select(f => f.Split('=', 2)).Where(f => f.Length == 2).ToDictionary(f => f[0], f => f[1], StringComparer.Ordinal);
        if (!fields.TryGetValue("sr", out var resource) || !fields.TryGetValue("sig", out var signature) || !fields.TryGetValue("se", out var expiry)
            || !fields.TryGetValue("skn", out var keyName) || WebUtility.UrlDecode(keyName) != KeyName || !long.TryParse(expiry, out var expires)
            || DateTimeOffset.FromUnixTimeSeconds(expires) < DateTimeOffset.UtcNow)
        {
            return false;
        }

        // The token must cover the audience it is put for (a namespace token covers its entities).
        var covered = WebUtility.UrlDecode(resource).TrimEnd('/');
        if (!NodeOf(audience).StartsWith(NodeOf(covered), StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(Key), Encoding.UTF8.GetBytes($"{resource}\n{expiry}"));
        byte[] actual;
        try
        {
            actual = Convert.FromBase64String(WebUtility.UrlDecode(signature));
        }
        catch (FormatException)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }

    /// <summary>The management READ of an event hub's runtime information, one partition.</summary>
    private (int Status, string Description, object? Body) Management(AmqpMessage request)
    {
        var map = request.ApplicationProperties.Map;
        if (map["operation"] as string != "READ" || map["name"] is not string name || EntityOf(name) is null)
        {
            return (404, "Unknown management request.", null);
        }

        var info = new AmqpMap
        {
            [new MapKey("name")] = name,
            [new MapKey("created_at")] = DateTime.UtcNow,
            [new MapKey("partition_ids")] = new[] { "0" },
        };
        return (200, "OK", info);
    }

    private void OnMessage(string entity, ReceivingAmqpLink link, AmqpMessage message)
    {
        var parts = message.MessageFormat == AmqpConstants.AmqpBatchedMessageFormat
            ? message.DataBody.Select(d => AmqpMessage.CreateAmqpStreamMessage(new BufferListStream([(ArraySegment<byte>)d.Value]))).ToList()
            : [message];
        foreach (var part in parts)
        {
            var body = part.DataBody.SelectMany(d => ((ArraySegment<byte>)d.Value).ToArray()).ToArray();
            var properties = part.ApplicationProperties?.Map.ToDictionary(p => p.Key.Key.ToString()!, p => p.Value) ?? [];
            var partitionKey = part.MessageAnnotations?.Map["x-opt-partition-key"] as string;
            Accepted.Enqueue(new AcceptedMessage(entity, body, part.Properties?.ContentType.Value, part.Properties?.MessageId?.ToString(), partitionKey, properties));
        }

        link.AcceptMessage(message, false);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static (X509Certificate2 Certificate, string Pem) SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=centrum-test-namespace", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        // The platform's TLS needs the private key in a form it can use: a PKCS#12 round trip gives it that.
        return (X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null), certificate.ExportCertificatePem());
    }

    private sealed class CompletedResult : IAsyncResult
    {
        public CompletedResult(AsyncCallback callback, object state)
        {
            AsyncState = state;
            callback(this);
        }

        public object AsyncState { get; }

        public WaitHandle AsyncWaitHandle => throw new NotSupportedException();

        public bool CompletedSynchronously => true;

        public bool IsCompleted => true;
    }
}
