using System.Text.Json.Nodes;
using Centrum.Commands;
using Centrum.Gateway.Authentication;
using Centrum.Gateway.Internal;
using Centrum.Gateway.Sessions;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;

namespace Centrum.Gateway.Amqp;

/// <summary>
/// One device (or module) on an AMQP connection, from its first accepted put-token (or its first link authorised by
/// its TLS client certificate) until its token lapses, its connection ends or a newer connection of the same identity
/// (over AMQP or MQTT) takes over. It is what <see cref="ConnectionRegistry"/> holds for the device, as
/// <see cref="DeviceSession"/> is for MQTT; several of them share one connection when a gateway multiplexes devices
/// (IoT Hub, "AMQP connection pooling" in the C# SDK).
/// </summary>
internal sealed class AmqpDeviceSession : IDeviceSession
{
    private readonly AmqpDeviceConnection _connection;
    private readonly GatewayServices _services;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<AmqpLink> _links = [];
    private readonly Lock _gate = new();
    private ITimer? _expiry;
    private bool _closed;
    private bool _started;

    public AmqpDeviceSession(AmqpDeviceConnection connection, DeviceIdentity identity)
    {
        _connection = connection;
        _services = connection.Services;
        Identity = identity;
    }

    public DeviceIdentity Identity { get; private set; }

    public Task Completion => _completion.Task;

    public bool IsClosed => Volatile.Read(ref _closed);

    /// <summary>A refreshed token (same identity, new expiry) moves the deadline on.</summary>
    public void Renew(DeviceIdentity identity)
    {
        Identity = identity;
        ScheduleExpiry();
    }

    public void ScheduleExpiry()
    {
        var due = Identity.CredentialExpiry - _services.Time.GetUtcNow();
        if (due < TimeSpan.Zero)
        {
            due = TimeSpan.Zero;
        }

        // Timers take at most about 49 days.
        if (due > TimeSpan.FromDays(30))
        {
            due = TimeSpan.FromDays(30);
        }

        var timer = _services.Time.CreateTimer(_ => OnExpiry(), null, due, Timeout.InfiniteTimeSpan);
        Interlocked.Exchange(ref _expiry, timer)?.Dispose();
    }

    public bool TryAddLink(AmqpLink link)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return false;
            }

            _links.Add(link);
        }

        link.Closed += (_, _) =>
        {
            lock (_gate)
            {
                _links.Remove(link);
            }
        };
        return true;
    }

    public void Close(string reason) => _ = EndAsync(reason, new Error { Condition = AmqpErrorCode.DetachForced, Description = reason });

    public bool IsSubscribed(string topic) => false;

    public Task<DirectMethodResult> InvokeMethodAsync(string methodName, JsonNode? payload, TimeSpan timeout, CancellationToken cancellationToken) =>
        Task.FromResult(new DirectMethodResult(DirectMethodStatus.NotConnected));

    public void PushDesired(long version, JsonObject patch)
    {
    }

    public void SignalCloudToDevice()
    {
    }

    public void Started()
    {
        Volatile.Write(ref _started, true);
        _services.Metrics.Connected();
        Log.Connected(_services.Logger, Identity.Application.Id, Identity.DeviceId, _connection.Remote, cleanSession: true, sessionPresent: false);
        ScheduleExpiry();
        _connection.Observe(
            _services.Devices.RecordConnectivityAsync(Identity.Application.Id, Identity.DeviceId, connected: true, Identity.ModelId, CancellationToken.None),
            "connectivity could not be recorded");
    }

    /// <summary>Detaches the device's links (with <paramref name="error"/>) and lets go of the device, once.</summary>
    public async Task EndAsync(string reason, Error? error)
    {
        AmqpLink[] links;
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            links = [.. _links];
            _links.Clear();
        }

        Interlocked.Exchange(ref _expiry, null)?.Dispose();
        foreach (var link in links)
        {
            link.SafeClose(error is null ? null : new AmqpException(error));
        }

        try
        {
            if (Volatile.Read(ref _started))
            {
                _services.Metrics.Disconnected();
            }

            Log.Disconnected(_services.Logger, Identity.Application.Id, Identity.DeviceId, reason);
            if (_services.Connections.Remove(Identity.Application.Id, Identity.ClientId, this))
            {
                await _services.Devices.RecordConnectivityAsync(Identity.Application.Id, Identity.DeviceId, connected: false, null, CancellationToken.None);
            }
        }
        finally
        {
            _completion.TrySetResult();
            _connection.Ended(this, reason);
        }
    }

    private void OnExpiry()
    {
        if (Identity.CredentialExpiry <= _services.Time.GetUtcNow())
        {
            // IoT Hub detaches a device's links when its token lapses without a refresh (put-token on $cbs).
            _ = EndAsync("SAS token expired", new Error { Condition = AmqpErrorCode.UnauthorizedAccess, Description = "The SAS token has expired." });
        }
        else
        {
            ScheduleExpiry();
        }
    }
}
