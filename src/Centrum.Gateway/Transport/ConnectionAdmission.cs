using System.Net;
using Centrum.IotHub.Connections;
using Microsoft.Extensions.Options;

namespace Centrum.Gateway.Transport;

/// <summary>
/// Who may hold a connection before anyone knows who they are. The rule:
/// <list type="number">
/// <item>No more than <see cref="GatewayOptions.MaxConnections"/> connections are open; one more is closed at accept.</item>
/// <item>A connection is <em>pending</em> from TCP accept until its CONNECT is authenticated. At most
/// <see cref="GatewayOptions.MaxPendingConnections"/> are pending on the node and
/// <see cref="GatewayOptions.MaxPendingConnectionsPerAddress"/> from one IP address; beyond either, a new connection is
/// closed before its TLS handshake, so junk costs no handshake and no store lookup.</item>
/// <item>A pending connection that has not finished TLS and CONNECT within <see cref="GatewayOptions.ConnectTimeout"/>
/// of accept is closed, so a slot held by a silent peer comes back.</item>
/// <item>Only an authenticated CONNECT spends the <see cref="GatewayOptions.ConnectionsPerSecond"/> bucket, so junk
/// never takes a real device's turn. A provisioning connection proves nothing at CONNECT (DPS authenticates the
/// register request), so it stays pending for its short, bounded life.</item>
/// </list>
/// </summary>
internal sealed class ConnectionAdmission(IOptions<GatewayOptions> options, GatewayMetrics metrics)
{
    private readonly GatewayOptions _options = options.Value;
    private readonly Lock _lock = new();
    private readonly Dictionary<IPAddress, int> _pendingByAddress = [];
    private int _open;
    private int _pending;

    public int Open => Volatile.Read(ref _open);

    public int Pending => Volatile.Read(ref _pending);

    /// <returns>A ticket to dispose when the connection ends, or null with the reason it is refused.</returns>
    public AdmissionTicket? TryAdmit(IPAddress? remote, out string? refusal)
    {
        var address = remote is null ? IPAddress.None : remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote;
        lock (_lock)
        {
            _pendingByAddress.TryGetValue(address, out var fromAddress);
            refusal = _open >= _options.MaxConnections ? "connection limit reached"
                : _pending >= _options.MaxPendingConnections ? "too many connections not yet authenticated"
                : fromAddress >= _options.MaxPendingConnectionsPerAddress ? "too many connections not yet authenticated from one address"
                : null;
            if (refusal is not null)
            {
                metrics.Refused(refusal);
                return null;
            }

            _open++;
            _pending++;
            _pendingByAddress[address] = fromAddress + 1;
        }

        return new AdmissionTicket(this, address);
    }

    private void EndPending(IPAddress address)
    {
        lock (_lock)
        {
            EndPendingLocked(address);
        }
    }

    private void Close(IPAddress address, bool pending)
    {
        lock (_lock)
        {
            if (pending)
            {
                EndPendingLocked(address);
            }

            _open--;
        }
    }

    private void EndPendingLocked(IPAddress address)
    {
        _pending--;
        if (_pendingByAddress[address] == 1)
        {
            _pendingByAddress.Remove(address);
        }
        else
        {
            _pendingByAddress[address]--;
        }
    }

    /// <summary>One admitted connection's place: pending until <see cref="Authenticated"/>, open until disposed.</summary>
    internal sealed class AdmissionTicket(ConnectionAdmission owner, IPAddress address) : IConnectionTicket
    {
        private int _state; // 0 pending, 1 authenticated, 2 closed
        private volatile bool _connectAccepted;
        private ITimer? _deadline;

        /// <summary>Whether a CONNECT was answered with success (the connect deadline no longer applies).</summary>
        public bool ConnectAccepted => _connectAccepted;

        /// <summary>The connect deadline's timer: stopped and let go once a CONNECT is accepted, so a connected device holds no timer for it.</summary>
        public void Watch(ITimer deadline) => Volatile.Write(ref _deadline, deadline);

        public void StopDeadline() => Interlocked.Exchange(ref _deadline, null)?.Dispose();

        public void AcceptedConnect()
        {
            _connectAccepted = true;
            StopDeadline();
        }

        public void Authenticated()
        {
            _connectAccepted = true;
            StopDeadline();
            if (Interlocked.CompareExchange(ref _state, 1, 0) == 0)
            {
                owner.EndPending(address);
            }
        }

        public void Dispose()
        {
            var previous = Interlocked.Exchange(ref _state, 2);
            if (previous != 2)
            {
                owner.Close(address, pending: previous == 0);
            }
        }
    }
}
