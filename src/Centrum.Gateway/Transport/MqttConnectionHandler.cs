using Centrum.Gateway.Internal;
using Microsoft.AspNetCore.Connections;

namespace Centrum.Gateway.Transport;

/// <summary>MQTT over TLS on Kestrel (port 8883): Kestrel does TCP and TLS, the connection speaks MQTT.</summary>
internal sealed class MqttConnectionHandler(GatewayServices services) : ConnectionHandler
{
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var remote = connection.RemoteEndPoint?.ToString() ?? connection.ConnectionId;
        var mqtt = new MqttConnection(connection.Transport, remote, services);
        await mqtt.RunAsync(connection.ConnectionClosed);
    }
}
