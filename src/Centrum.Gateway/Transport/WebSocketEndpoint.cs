using System.Net;
using Centrum.Gateway.Amqp;
using Centrum.Gateway.Internal;
using Centrum.IotHub.Connections;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.Gateway.Transport;

public static class WebSocketEndpoint
{
    /// <summary>The path every SDK dials for MQTT over WebSockets (IoT Hub docs "Communicate with an IoT hub using the MQTT protocol", MQTT over WebSockets on port 443).</summary>
    public const string Path = "/$iothub/websocket";

    /// <summary>
    /// MQTT over WebSockets on the HTTPS port. Devices authenticate inside MQTT (SAS in CONNECT), so the HTTP layer
    /// lets the upgrade through without an API token.
    /// </summary>
    public static IEndpointConventionBuilder MapIotHubWebSocket(this IEndpointRouteBuilder endpoints) =>
        endpoints.Map(Path, HandleAsync).AllowAnonymous();

    private static async Task HandleAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        // Node and Python offer "mqtt", the C SDK "MQTT": accept either and echo the client's spelling. AMQP devices
        // dial the same path with "AMQPWSB10" (IoT Hub docs "Choose a device communication protocol", AMQP over
        // WebSockets on port 443; azure-iot-sdk-csharp WebSocketConstants), or the AMQP WebSocket binding's "amqp".
        var requested = context.WebSockets.WebSocketRequestedProtocols;
        var subProtocol = requested.FirstOrDefault(p => p.Equals("mqtt", StringComparison.OrdinalIgnoreCase));
        var amqp = subProtocol is null ? requested.FirstOrDefault(p => p.Equals("AMQPWSB10", StringComparison.OrdinalIgnoreCase) || p.Equals("amqp", StringComparison.OrdinalIgnoreCase)) : null;
        if (subProtocol is null && amqp is null)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        // The HTTPS listener has done TLS already; the cap on open and unauthenticated connections still holds.
        var admission = context.RequestServices.GetRequiredService<ConnectionAdmission>();
        using var ticket = admission.TryAdmit(context.Connection.RemoteIpAddress, out _);
        if (ticket is null)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { SubProtocol = subProtocol ?? amqp, DangerousEnableCompression = false });
        var pipe = new WebSocketDuplexPipe(socket);
        var remote = context.Connection.RemoteIpAddress + ":" + context.Connection.RemotePort;
        if (amqp is not null)
        {
            // The AMQP frames travel as the socket's bytes; the HTTPS listener has done TLS.
            var local = new IPEndPoint(context.Connection.LocalIpAddress ?? IPAddress.None, context.Connection.LocalPort);
            var peer = new IPEndPoint(context.Connection.RemoteIpAddress ?? IPAddress.None, context.Connection.RemotePort);
            var transport = new AmqpStreamTransport(pipe, local, peer, context.Connection.ClientCertificate, ticket);
            using var registration = context.RequestAborted.Register(static t => ((AmqpStreamTransport)t!).SafeClose(), transport);
            await pipe.RunAsync(
                () =>
                {
                    context.RequestServices.GetRequiredService<AmqpGateway>().Accept(transport);
                    return transport.Ended;
                },
                context.RequestAborted);
            return;
        }

        var services = context.RequestServices.GetRequiredService<GatewayServices>();
        var connection = new MqttConnection(pipe, remote, services, context.Connection.ClientCertificate, ticket);
        await pipe.RunAsync(() => connection.RunAsync(context.RequestAborted), context.RequestAborted);
    }
}
