using Centrum.Gateway.Transport;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

namespace Centrum.Gateway.Amqp;

/// <summary>
/// AMQP over TLS on Kestrel (port 5671): Kestrel does TCP, admission and TLS with the gateway's certificate, exactly as
/// for MQTT on 8883, and the connection then speaks AMQP through Microsoft.Azure.Amqp (<see cref="AmqpGateway"/>).
/// </summary>
internal sealed class AmqpConnectionHandler(AmqpGateway gateway) : ConnectionHandler
{
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var certificate = connection.Features.Get<ITlsConnectionFeature>()?.ClientCertificate;
        var transport = new AmqpStreamTransport(
            connection.Transport, connection.LocalEndPoint, connection.RemoteEndPoint, certificate, connection.Features.Get<ConnectionAdmission.AdmissionTicket>());
        using var registration = connection.ConnectionClosed.Register(static t => ((AmqpStreamTransport)t!).SafeClose(), transport);
        gateway.Accept(transport);
        await transport.Ended;
    }
}
