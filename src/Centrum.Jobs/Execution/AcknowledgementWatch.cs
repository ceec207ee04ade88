using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using Centrum.Twins;

namespace Centrum.Jobs.Execution;

/// <summary>One writable property a device is waited on for: the desired version the job wrote.</summary>
internal readonly record struct AwaitedProperty(string Path, string? Component, string Name, long Version);

/// <summary>
/// The devices of one job that are waited on for their Plug and Play acknowledgements. The twins of those that reported
/// (woken by their <c>ReportedPropertiesChanged</c> events) are read together, and at the poll interval all waiting
/// devices' twins, a chunk at a time, as the fallback for an event missed: a thousand waiting devices cost a few
/// queries a tick, not a thousand.
/// </summary>
internal sealed class AcknowledgementWatch(string applicationId, TwinService twins, TimeProvider time, TimeSpan pollInterval)
{
    /// <summary>Twins read per query: well within SQLite's and PostgreSQL's parameter limits.</summary>
    private const int ReadChunk = 500;

    private readonly ConcurrentDictionary<string, Waiter> _waiting = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _reported = new(StringComparer.Ordinal);
    private long _lastPoll;
    private volatile bool _ended;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Waits until the device acknowledged every property (completed), refused one (failed) or let the deadline pass (failed).</summary>
    public Task<DeviceResult> WaitAsync(string deviceId, IReadOnlyList<AwaitedProperty> awaited, DateTimeOffset deadline, TimeSpan timeout)
    {
        var waiter = new Waiter(awaited, deadline, timeout);
        _waiting[deviceId] = waiter;
        // It may have acknowledged already (after a restart, or before its version was kept): look at it at once.
        _reported[deviceId] = true;
        if (_ended && _waiting.TryRemove(deviceId, out _))
        {
            // The worker is ending (the host stops): the device stays running in its row, for the next start.
            waiter.Result.TrySetCanceled();
        }

        Wake();
        return waiter.Result.Task;
    }

    /// <summary>A device reported: look again if it is one waited on.</summary>
    public void Reported(string deviceId)
    {
        if (_waiting.ContainsKey(deviceId))
        {
            _reported[deviceId] = true;
            Wake();
        }
    }

    public bool IsEmpty => _waiting.IsEmpty;

    /// <summary>Runs while the job's worker runs; devices still waited on when it ends stay running, for the next worker.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (!_waiting.IsEmpty)
                {
                    await LookAsync(TakeDue(), cancellationToken);
                }

                await SleepAsync(cancellationToken);
            }
        }
        finally
        {
            _ended = true;
            foreach (var deviceId in _waiting.Keys)
            {
                if (_waiting.TryRemove(deviceId, out var waiter))
                {
                    waiter.Result.TrySetCanceled(cancellationToken.IsCancellationRequested ? cancellationToken : new CancellationToken(true));
                }
            }
        }
    }

    /// <summary>Until a waited device reports, the poll interval passes or the nearest deadline comes.</summary>
    private async Task SleepAsync(CancellationToken cancellationToken)
    {
        var delay = pollInterval;
        var now = time.GetUtcNow();
        foreach (var waiter in _waiting.Values)
        {
            var left = waiter.Deadline - now;
            if (left < delay)
            {
                delay = left;
            }
        }

        using var tick = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sleep = Task.Delay(delay > TimeSpan.Zero ? delay : TimeSpan.FromMilliseconds(1), time, tick.Token);
        var woken = _wake.Reader.ReadAsync(tick.Token).AsTask();
        // The delay counts from when it was armed: a clock that moved between reading it and arming (a suspended
        // machine, a moved test clock) would push the nearest deadline a whole delay later. Look again at once instead.
        if (time.GetUtcNow() - now < delay)
        {
            await Task.WhenAny(sleep, woken);
        }

        await tick.CancelAsync();
        try
        {
            await Task.WhenAll(sleep, woken);
        }
        catch (OperationCanceledException)
        {
            // The one that did not finish first was cancelled (a cancelled read takes no wake).
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>Several wakes before the next look count as one.</summary>
    private void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>The devices to look at now: those that reported, or all at the poll interval and when a deadline came.</summary>
    private List<string> TakeDue()
    {
        var now = time.GetUtcNow();
        var stamp = time.GetTimestamp();
        var all = time.GetElapsedTime(_lastPoll, stamp) >= pollInterval || _waiting.Values.Any(w => now >= w.Deadline);
        if (all)
        {
            _lastPoll = stamp;
            _reported.Clear();
            return [.. _waiting.Keys];
        }

        var due = new List<string>();
        foreach (var deviceId in _reported.Keys)
        {
            if (_reported.TryRemove(deviceId, out _) && _waiting.ContainsKey(deviceId))
            {
                due.Add(deviceId);
            }
        }

        return due;
    }

    private async Task LookAsync(List<string> due, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var chunk in due.Chunk(ReadChunk))
        {
            var read = await twins.GetManyAsync(applicationId, chunk, cancellationToken);
            foreach (var deviceId in chunk)
            {
                if (!_waiting.TryGetValue(deviceId, out var waiter))
                {
                    continue;
                }

                var result = read.TryGetValue(deviceId, out var twin) ? Evaluate(twin, waiter.Awaited) : null;
                if (result is null && now >= waiter.Deadline)
                {
                    var paths = string.Join(", ", waiter.Awaited.Select(a => a.Path));
                    result = new DeviceResult(JobDeviceState.Failed,
                        string.Create(CultureInfo.InvariantCulture, $"The device did not acknowledge {paths} within {waiter.Timeout.TotalSeconds} s."));
                }

                if (result is { } finished && _waiting.TryRemove(deviceId, out _))
                {
                    waiter.Result.TrySetResult(finished);
                }
            }
        }
    }

    /// <summary>Completed when every property is acknowledged with a success for its version or a later one; failed at the first refusal.</summary>
    internal static DeviceResult? Evaluate(Twin twin, IReadOnlyList<AwaitedProperty> awaited)
    {
        var acknowledged = 0;
        foreach (var property in awaited)
        {
            if (Acknowledgement.Find(twin.Reported, property.Component, property.Name) is not { } ack || ack.Version < property.Version)
            {
                continue;
            }

            if (!ack.Succeeded)
            {
                return new DeviceResult(JobDeviceState.Failed, $"{property.Path}: {ack.Describe()}");
            }

            acknowledged++;
        }

        return acknowledged == awaited.Count ? new DeviceResult(JobDeviceState.Completed, null) : null;
    }

    private sealed record Waiter(IReadOnlyList<AwaitedProperty> Awaited, DateTimeOffset Deadline, TimeSpan Timeout)
    {
        public TaskCompletionSource<DeviceResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>How a device's action ended, with the reason shown to the operator.</summary>
internal readonly record struct DeviceResult(JobDeviceState State, string? Reason);
