namespace Centrum.IotHub.Connections;

/// <summary>
/// A connection's clocks: the silence allowed before CONNECT and then between packets (1.5 × keep-alive, MQTT 3.1.1
/// §3.1.2.10), and the end of the credential's life. One timer for both (an idle connection holds one, not two),
/// re-armed only when it fires: the deadline moves with every packet by a timestamp write, not a timer change per packet.
/// </summary>
internal sealed class KeepAlive : IDisposable
{
    private static readonly TimeSpan MaxTimerDue = TimeSpan.FromDays(20);

    /// <summary>
    /// Longest the keep-alive clock stops for one packet being handled: above every wait the server imposes on a
    /// packet (a full telemetry queue, 10 s by default; a takeover, 5 s), far below the longest keep-alive.
    /// </summary>
    private static readonly TimeSpan MaxHandlingPause = TimeSpan.FromSeconds(60);

    private readonly TimeProvider _time;
    private readonly Action<string> _close;
    private readonly ITimer _timer;
    private DateTimeOffset _expiry;
    private volatile string? _expiryReason;
    private TimeSpan _idleTimeout;
    private long _lastPacket;
    private long _handlingSince;
    private volatile bool _connected;

    /// <param name="close">Ends the connection with the reason the clock ran out.</param>
    public KeepAlive(TimeProvider time, TimeSpan connectTimeout, Action<string> close)
    {
        _time = time;
        _close = close;
        _idleTimeout = connectTimeout;
        _lastPacket = time.GetTimestamp();
        _timer = time.CreateTimer(static s => ((KeepAlive)s!).TimerFired(), this, connectTimeout, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// A packet arrived and is being handled. The clock stops while it is and restarts after, so time the server itself
    /// spends (a full store delaying a QoS 1 PUBLISH) is not charged to the device.
    /// </summary>
    public void PacketStarted() => Volatile.Write(ref _handlingSince, _time.GetTimestamp());

    /// <summary>Every control packet moves the deadline (MQTT 3.1.1 §3.1.2.10).</summary>
    public void PacketHandled()
    {
        Volatile.Write(ref _lastPacket, _time.GetTimestamp());
        Volatile.Write(ref _handlingSince, 0);
    }

    /// <summary>From CONNECT on, the connection may stay silent for <paramref name="idleTimeout"/>, and lives until <paramref name="expiry"/>.</summary>
    public void Connected(TimeSpan idleTimeout, DateTimeOffset expiry, string expiryReason)
    {
        _expiryReason = expiryReason;
        _expiry = expiry;
        _connected = true;
        _idleTimeout = idleTimeout;
        Volatile.Write(ref _lastPacket, _time.GetTimestamp());
        Arm(idleTimeout);
    }

    public void Dispose() => _timer.Dispose();

    /// <summary>The one timer serves both clocks: it fires at whichever deadline comes first and checks both.</summary>
    private void TimerFired()
    {
        if (_expiryReason is { } expiryReason && _expiry - _time.GetUtcNow() <= TimeSpan.Zero)
        {
            _close(expiryReason);
            return;
        }

        // A packet in hand stops the clock, but not for ever: a device that sends and never reads would otherwise
        // hold its read loop waiting for room in its outbound queue.
        var handlingSince = Volatile.Read(ref _handlingSince);
        var remaining = handlingSince != 0 && _time.GetElapsedTime(handlingSince) < MaxHandlingPause
            ? _idleTimeout
            : _idleTimeout - _time.GetElapsedTime(Volatile.Read(ref _lastPacket));
        if (remaining <= TimeSpan.Zero)
        {
            _close(_connected ? "keep-alive timeout" : "no CONNECT in time");
            return;
        }

        Arm(remaining);
    }

    private void Arm(TimeSpan idle)
    {
        var due = _expiryReason is null ? idle : Min(idle, _expiry - _time.GetUtcNow());
        try
        {
            _timer.Change(Min(due, MaxTimerDue), Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? (a < TimeSpan.Zero ? TimeSpan.Zero : a) : b;
}
