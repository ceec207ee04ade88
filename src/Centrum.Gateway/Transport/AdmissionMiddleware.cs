using System.Net;
using Centrum.Gateway.Internal;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Centrum.Gateway.Transport;

/// <summary>
/// Runs before TLS on the MQTT listener: applies <see cref="ConnectionAdmission"/> at TCP accept and closes a connection
/// still unauthenticated when <see cref="GatewayOptions.ConnectTimeout"/> has passed since accept, TLS handshake included.
/// </summary>
internal static class AdmissionMiddleware
{
    public static ConnectionDelegate Create(ConnectionDelegate next, ConnectionAdmission admission, IOptions<GatewayOptions> options, TimeProvider time, ILogger logger) =>
        async context =>
        {
            var remote = (context.RemoteEndPoint as IPEndPoint)?.Address;
            using var ticket = admission.TryAdmit(remote, out var refusal);
            if (ticket is null)
            {
                // Returning without reading closes the socket with a FIN: a clean close the peer sees at once.
                Log.AdmissionRefused(logger, context.RemoteEndPoint?.ToString() ?? context.ConnectionId, refusal!);
                return;
            }

            context.Features.Set(ticket);
            ticket.Watch(time.CreateTimer(
                static s =>
                {
                    var (ticket, context) = ((ConnectionAdmission.AdmissionTicket, ConnectionContext))s!;
                    if (!ticket.ConnectAccepted)
                    {
                        // The slot is free before the peer can see the close, so a device that reconnects at once is
                        // counted against what is left, not against the connection being torn down.
                        ticket.Dispose();
                        context.Abort(new ConnectionAbortedException("no authenticated CONNECT in time"));
                    }
                },
                (ticket, context), options.Value.ConnectTimeout, Timeout.InfiniteTimeSpan));
            try
            {
                await next(context);
            }
            finally
            {
                ticket.StopDeadline();
            }
        };
}
