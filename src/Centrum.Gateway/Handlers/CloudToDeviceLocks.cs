using System.Collections.Concurrent;

namespace Centrum.Gateway.Handlers;

/// <summary>
/// Which receiver holds each cloud-to-device message now, whatever transport it came over: an MQTT connection from
/// the PUBLISH until its PUBACK, an HTTPS receiver until it completes, rejects or abandons the message or its lock
/// times out (IoT Hub docs "Understand cloud-to-device messaging from an IoT hub": a message is locked by the receive
/// that got it and invisible to other receives until then). One holder at a time, so a message goes to one transport.
/// The locks live in memory: after a restart every queued message is free again, and is delivered again, as IoT Hub
/// does after a lost lock.
/// </summary>
internal sealed class CloudToDeviceLocks(TimeProvider time)
{
    /// <summary>Takes between two sweeps of lapsed locks (those of messages deleted meanwhile are never looked at again).</summary>
    internal const int SweepEvery = 1024;

    private readonly ConcurrentDictionary<(string ApplicationId, long MessageId), Holder> _locks = new();
    private long _takes;

    /// <summary>Locks recorded now, lapsed or not.</summary>
    internal int Count => _locks.Count;

    /// <summary>Takes message <paramref name="messageId"/> for <paramref name="holder"/> until <paramref name="until"/>; false while another holds it.</summary>
    public bool TryTake(string applicationId, long messageId, string holder, DateTimeOffset until)
    {
        var key = (applicationId, messageId);
        var now = time.GetUtcNow();
        if (Interlocked.Increment(ref _takes) % SweepEvery == 0)
        {
            Sweep(now);
        }

        while (true)
        {
            if (_locks.TryAdd(key, new Holder(holder, until)))
            {
                return true;
            }

            if (!_locks.TryGetValue(key, out var current))
            {
                continue;
            }

            if (current.Until > now && current.Token != holder)
            {
                return false;
            }

            if (_locks.TryUpdate(key, new Holder(holder, until), current))
            {
                return true;
            }
        }
    }

    /// <summary>True while <paramref name="holder"/> holds the message (its lock has not timed out).</summary>
    public bool Holds(string applicationId, long messageId, string holder) =>
        _locks.TryGetValue((applicationId, messageId), out var current) && current.Token == holder && current.Until > time.GetUtcNow();

    /// <summary>Frees the message if <paramref name="holder"/> holds it.</summary>
    public void Release(string applicationId, long messageId, string holder)
    {
        if (_locks.TryGetValue((applicationId, messageId), out var current) && current.Token == holder)
        {
            _locks.TryRemove(KeyValuePair.Create((applicationId, messageId), current));
        }
    }

    private void Sweep(DateTimeOffset now)
    {
        foreach (var entry in _locks)
        {
            if (entry.Value.Until <= now)
            {
                _locks.TryRemove(entry);
            }
        }
    }

    private readonly record struct Holder(string Token, DateTimeOffset Until);
}
