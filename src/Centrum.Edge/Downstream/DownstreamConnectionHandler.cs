using Centrum.IotHub.Connections;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

namespace Centrum.Edge.Downstream;

/// <summary>MQTT over TLS for downstream devices on Kestrel (port 8883): Kestrel does TCP and TLS, the connection speaks MQTT.</summary>
internal sealed class DownstreamConnectionHandler(DownstreamEndpoint endpoint) : ConnectionHandler
{
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var remote = connection.RemoteEndPoint?.ToString() ?? connection.ConnectionId;
        var certificate = connection.Features.Get<ITlsConnectionFeature>()?.ClientCertificate;
        var mqtt = new MqttConnection(connection.Transport, remote, endpoint, certificate);
        await mqtt.RunAsync(connection.ConnectionClosed);
    }
}
