using System.Net.Sockets;
using NATS.Client.Core;

namespace Centrum.Export.Destinations.Nats;

/// <summary>
/// NATS connections opened through <see cref="DestinationReach"/>: the configured server and any server it advertises
/// for reconnects are reached only at allowed addresses. The plain socket lets the client upgrade to TLS itself.
/// </summary>
internal sealed class ReachCheckedNatsSockets(DestinationReach reach) : INatsSocketConnectionFactory
{
    /// <summary>
    /// The refusal of the last connection attempt, or null when it was not refused. NATS.Net reports a failed connect
    /// as "can not connect uris" without the cause, so the sender asks here.
    /// </summary>
    public DestinationRefusedException? LastRefusal { get; private set; }

    public async ValueTask<INatsSocketConnection> ConnectAsync(Uri uri, NatsOpts opts, CancellationToken cancellationToken)
    {
        try
        {
            var socket = await reach.ConnectAsync(uri.Host, uri.Port, cancellationToken);
            LastRefusal = null;
            return new Connection(socket);
        }
        catch (DestinationRefusedException ex)
        {
            LastRefusal = ex;
            throw;
        }
    }

    private sealed class Connection(Socket socket) : INatsTlsUpgradeableSocketConnection
    {
        public Socket Socket => socket;

        public ValueTask<int> SendAsync(ReadOnlyMemory<byte> buffer) => socket.SendAsync(buffer, SocketFlags.None, CancellationToken.None);

        public ValueTask<int> ReceiveAsync(Memory<byte> buffer) => socket.ReceiveAsync(buffer, SocketFlags.None, CancellationToken.None);

        public ValueTask DisposeAsync()
        {
            try
            {
                socket.Shutdown(SocketShutdown.Both);
            }
            catch (SocketException)
            {
                // Already closed by the peer.
            }
            catch (ObjectDisposedException)
            {
                // Already disposed, e.g. after a TLS upgrade handed the socket to its stream.
            }

            socket.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
