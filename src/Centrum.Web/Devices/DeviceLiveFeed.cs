using Centrum.Events;
using Centrum.Telemetry;
using Microsoft.Extensions.Logging;

namespace Centrum.Web.Devices;

/// <summary>What changed on a device since a page last took its feed's updates.</summary>
[Flags]
public enum DeviceChanges
{
    None = 0,

    /// <summary>New telemetry values are waiting (<see cref="DeviceUpdate.Values"/>).</summary>
    Telemetry = 1,

    /// <summary>Reported, desired or cloud properties changed: the properties tab reads them again.</summary>
    Properties = 2,

    /// <summary>A command was called or answered.</summary>
    Commands = 4,

    /// <summary>The device connected or disconnected.</summary>
    Connection = 8,

    /// <summary>The device itself changed (name, template, organizations, enabled, approval).</summary>
    Device = 16,

    /// <summary>The device was deleted or moved out of the caller's reach: the feed has ended and the page shows nothing more.</summary>
    Gone = 32,
}

/// <summary>The values and changes a page takes from its feed in one render.</summary>
public sealed record DeviceUpdate(DeviceChanges Changes, IReadOnlyList<DeviceTelemetryValue> Values);

/// <summary>
/// One page's live view of one device. It subscribes to that device's events only (<see cref="IDeviceEvents.SubscribeToDevice"/>,
/// a small channel that loses its oldest events rather than hold up the publishers, which publish on ingestion's commit
/// path), and reads the values themselves from the telemetry store by sequence, so a lost event loses no value: every
/// read takes what the device sent after the last value read. Reads are at most one per <see cref="ReadInterval"/>,
/// however fast the device sends, and what the page has not taken yet is bounded by <see cref="MaxPendingValues"/>,
/// dropping the oldest: a slow browser sees fewer points, never a slower ingestion. A change of the device itself makes
/// the feed check the caller's reach again; a device deleted or moved out of reach ends the feed.
/// </summary>
public sealed class DeviceLiveFeed : IAsyncDisposable
{
    /// <summary>Unread events of one device a feed holds; an overflow only coalesces wake-ups, since values are read by sequence.</summary>
    public const int EventCapacity = 256;

    /// <summary>Values a page has not taken yet; beyond this the oldest are dropped (a chart shows the newest).</summary>
    public const int MaxPendingValues = 2000;

    /// <summary>How far back the first read of a feed goes: the window a live chart opens with.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The shortest time between two reads of the store. Ten redraws a second is smoother than a person follows, and a
    /// value waits at most this long after its commit, well within IoT Central's promise of a second.
    /// </summary>
    public static readonly TimeSpan ReadInterval = TimeSpan.FromMilliseconds(100);

    private readonly DeviceEventSubscription _subscription;
    private readonly string _applicationId;
    private readonly string _deviceId;
    private readonly Func<CancellationToken, Task<bool>> _stillReached;
    private readonly Func<long, DateTimeOffset, int, CancellationToken, Task<IReadOnlyList<DeviceTelemetryValue>>> _readValues;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly Queue<DeviceTelemetryValue> _pending = new();
    private DeviceChanges _changes;
    private long _lastSequence;
    private Task _pump = Task.CompletedTask;

    private DeviceLiveFeed(
        DeviceEventSubscription subscription, string applicationId, string deviceId, Func<CancellationToken, Task<bool>> stillReached,
        Func<long, DateTimeOffset, int, CancellationToken, Task<IReadOnlyList<DeviceTelemetryValue>>> readValues, TimeProvider time, ILogger logger)
    {
        _subscription = subscription;
        _applicationId = applicationId;
        _deviceId = deviceId;
        _stillReached = stillReached;
        _readValues = readValues;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Raised, off the page's thread, when updates are waiting; the page schedules a render and takes them then
    /// (<see cref="Take"/>). Raised at most once per read, however many events the read covered.
    /// </summary>
    public event Action? Changed;

    /// <summary>Whether the feed ended because the device is gone or out of reach.</summary>
    public bool IsGone { get; private set; }

    /// <summary>Values dropped because the page did not take them in time (a measure of a slow browser).</summary>
    public long Dropped { get; private set; }

    internal static DeviceLiveFeed Start(
        DeviceEventSubscription subscription, string applicationId, string deviceId, Func<CancellationToken, Task<bool>> stillReached,
        Func<long, DateTimeOffset, int, CancellationToken, Task<IReadOnlyList<DeviceTelemetryValue>>> readValues, TimeProvider time, ILogger logger)
    {
        var feed = new DeviceLiveFeed(subscription, applicationId, deviceId, stillReached, readValues, time, logger);
        feed._pump = Task.Run(feed.PumpAsync);
        return feed;
    }

    /// <summary>Whether updates are waiting to be taken.</summary>
    public bool HasPending
    {
        get
        {
            lock (_gate)
            {
                return _changes != DeviceChanges.None || _pending.Count > 0;
            }
        }
    }

    /// <summary>Everything waiting since the last take, oldest value first.</summary>
    public DeviceUpdate Take()
    {
        lock (_gate)
        {
            var update = new DeviceUpdate(_changes, [.. _pending]);
            _pending.Clear();
            _changes = DeviceChanges.None;
            return update;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _subscription.Dispose();
        try
        {
            await _pump;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task PumpAsync()
    {
        var token = _stop.Token;
        var changes = DeviceChanges.Telemetry;
        try
        {
            while (true)
            {
                if (changes.HasFlag(DeviceChanges.Device) && !await _stillReached(token))
                {
                    IsGone = true;
                    Publish(DeviceChanges.Gone, []);
                    return;
                }

                var values = changes.HasFlag(DeviceChanges.Telemetry) ? await ReadAsync(token) : [];
                Publish(changes, values);
                await Task.Delay(ReadInterval, _time, token);

                if (!await _subscription.Reader.WaitToReadAsync(token))
                {
                    return;
                }

                changes = DeviceChanges.None;
                while (_subscription.Reader.TryRead(out var deviceEvent))
                {
                    changes |= Classify(deviceEvent.Kind);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception exception) when (exception is TelemetryStoreException or InvalidOperationException or System.Data.Common.DbException)
        {
            // The application's store went away (suspended or deleted) or failed: the page keeps what it shows and stops updating.
            DeviceViewLog.FeedFailed(_logger, _applicationId, _deviceId, exception);
        }
    }

    private async Task<IReadOnlyList<DeviceTelemetryValue>> ReadAsync(CancellationToken token)
    {
        var values = await _readValues(_lastSequence, _time.GetUtcNow() - Window, MaxPendingValues, token);
        if (values.Count > 0)
        {
            _lastSequence = values[^1].Sequence;
        }

        return values;
    }

    private void Publish(DeviceChanges changes, IReadOnlyList<DeviceTelemetryValue> values)
    {
        if (values.Count == 0)
        {
            changes &= ~DeviceChanges.Telemetry;
        }

        if (changes == DeviceChanges.None)
        {
            return;
        }

        lock (_gate)
        {
            foreach (var value in values)
            {
                _pending.Enqueue(value);
            }

            while (_pending.Count > MaxPendingValues)
            {
                _pending.Dequeue();
                Dropped++;
            }

            _changes |= changes;
        }

        Changed?.Invoke();
    }

    private static DeviceChanges Classify(DeviceEventKind kind) => kind switch
    {
        DeviceEventKind.TelemetryStored => DeviceChanges.Telemetry,
        DeviceEventKind.ReportedPropertiesChanged or DeviceEventKind.DesiredPropertiesChanged or DeviceEventKind.CloudPropertiesChanged => DeviceChanges.Properties,
        DeviceEventKind.CommandCalled or DeviceEventKind.CommandAnswered => DeviceChanges.Commands,
        DeviceEventKind.Connected or DeviceEventKind.Disconnected => DeviceChanges.Connection,
        DeviceEventKind.Updated or DeviceEventKind.Deleted or DeviceEventKind.Created => DeviceChanges.Device,
        _ => DeviceChanges.None,
    };
}
