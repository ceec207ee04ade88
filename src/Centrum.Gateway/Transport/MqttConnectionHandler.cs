using Centrum.Gateway.Internal;
using Centrum.IotHub.Connections;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

namespace Centrum.Gateway.Transport;

/// <summary>MQTT over TLS on Kestrel (port 8883): Kestrel does TCP and TLS, the connection speaks MQTT.</summary>
internal sealed class MqttConnectionHandler(GatewayServices services) : ConnectionHandler
{
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var remote = connection.RemoteEndPoint?.ToString() ?? connection.ConnectionId;
        var certificate = connection.Features.Get<ITlsConnectionFeature>()?.ClientCertificate;
        var mqtt = new MqttConnection(connection.Transport, remote, services, certificate, connection.Features.Get<ConnectionAdmission.AdmissionTicket>());
        await mqtt.RunAsync(connection.ConnectionClosed);
    }
}
