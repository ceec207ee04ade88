using Centrum.Edge.Internal;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Centrum.Edge.Upstream;

/// <summary>
/// The edge's MQTT connections to the cloud, one per identity it forwards for, each opened on that identity's behalf
/// as IoT Edge's hub opens them: the client's id and user name, <c>auth-chain={client};{edge}</c> in the user name,
/// and the <c>$edgeHub</c> module's token as password (Azure/iotedge <c>CloudConnectionProvider.cs</c>,
/// Azure/azure-iot-sdk-csharp <c>MqttIotHubAdapter.cs</c>). Used by the forwarder's one loop, never concurrently.
/// </summary>
internal sealed class UpstreamConnections(
    EdgeOptions edge, UpstreamOptions upstream, CloudTrust trust, CloudRegistryClient registry, EdgeHubCredentials credentials, ILogger<UpstreamConnections> logger)
    : IAsyncDisposable
{
    private const string ApiVersion = "2021-04-12";

    /// <summary>Identities with an open connection; bounded by the device scope, which bounds who can send.</summary>
    private readonly Dictionary<string, IMqttClient> _clients = new(StringComparer.Ordinal);
    private readonly MqttClientFactory _factory = new();

    /// <summary>The connection of <paramref name="clientId"/> (<c>{device}</c> or <c>{device}/{module}</c>), opened if need be.</summary>
    /// <exception cref="CloudRefusedException">The cloud refused the identity.</exception>
    public async Task<IMqttClient> ConnectedAsync(string clientId, CancellationToken cancellationToken)
    {
        if (_clients.TryGetValue(clientId, out var client) && client.IsConnected)
        {
            return client;
        }

        if (client is not null)
        {
            _clients.Remove(clientId);
            client.Dispose();
        }

        var key = await credentials.KeyAsync(cancellationToken).ConfigureAwait(false);
        client = _factory.CreateMqttClient();
        try
        {
            var result = await client.ConnectAsync(Options(clientId, registry.EdgeHubToken(key)), cancellationToken).ConfigureAwait(false);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                throw new CloudRefusedException($"The cloud refused {clientId}'s connection through this edge: {result.ResultCode} {result.ReasonString}");
            }
        }
        catch
        {
            client.Dispose();
            throw;
        }

        Log.UpstreamConnected(logger, clientId);
        _clients[clientId] = client;
        return client;
    }

    /// <summary>Publishes one stored message upstream at QoS 1; the task completes with the cloud's PUBACK.</summary>
    public static Task<MqttClientPublishResult> PublishAsync(IMqttClient client, string clientId, string properties, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var topic = $"devices/{clientId.Replace("/", "/modules/", StringComparison.Ordinal)}/messages/events/{properties}";
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(body.ToArray())
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        return client.PublishAsync(message, cancellationToken);
    }

    /// <summary>Closes every connection: after a failure the forwarder starts again from its checkpoint on fresh ones.</summary>
    public void Reset()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }

        _clients.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients.Values)
        {
            if (client.IsConnected)
            {
                try
                {
                    await client.DisconnectAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or ObjectDisposedException)
                {
                    // The cloud went away first: nothing is left to close.
                }
            }

            client.Dispose();
        }

        _clients.Clear();
    }

    private MqttClientOptions Options(string clientId, string token)
    {
        var chain = clientId == edge.DeviceId ? edge.DeviceId : $"{clientId};{edge.DeviceId}";
        var host = upstream.GatewayHostName is { Length: > 0 } gateway ? gateway : edge.HubHostName;
        return new MqttClientOptionsBuilder()
            .WithTcpServer(host, upstream.MqttPort)
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithClientId(clientId)
            .WithCredentials($"{edge.HubHostName}/{clientId}/?api-version={ApiVersion}&DeviceClientType=centrum-edge&auth-chain={Uri.EscapeDataString(chain)}", token)
            // Nothing is subscribed upstream yet, so there is no session to keep.
            .WithCleanSession(true)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(60))
            .WithTimeout(TimeSpan.FromSeconds(30))
            .WithTlsOptions(o => o.UseTls().WithTargetHost(host).WithCertificateValidationHandler(e => trust.Validate(e.Certificate, e.SslPolicyErrors)))
            .Build();
    }
}
