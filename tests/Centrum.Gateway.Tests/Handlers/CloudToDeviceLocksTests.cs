using Centrum.Gateway.Handlers;

namespace Centrum.Gateway.Tests.Handlers;

/// <summary>One receiver at a time holds a cloud-to-device message, whatever its transport; a lapsed lock frees it.</summary>
public sealed class CloudToDeviceLocksTests
{
    [Fact]
    public void A_held_message_is_refused_to_another_holder_until_its_holder_releases_it()
    {
        var locks = new CloudToDeviceLocks(TimeProvider.System);
        var until = DateTimeOffset.UtcNow.AddMinutes(1);
        Assert.True(locks.TryTake("app", 7, "mqtt-connection", DateTimeOffset.MaxValue));
        Assert.True(locks.TryTake("app", 7, "mqtt-connection", DateTimeOffset.MaxValue));
        Assert.False(locks.TryTake("app", 7, "https-receive", until));
        Assert.True(locks.TryTake("other-app", 7, "https-receive", until));

        locks.Release("app", 7, "https-receive");
        Assert.True(locks.Holds("app", 7, "mqtt-connection"));
        locks.Release("app", 7, "mqtt-connection");
        Assert.False(locks.Holds("app", 7, "mqtt-connection"));
        Assert.True(locks.TryTake("app", 7, "https-receive", until));
        Assert.True(locks.Holds("app", 7, "https-receive"));
    }

    [Fact]
    public void A_lock_whose_time_passed_holds_nothing_and_another_receiver_takes_the_message()
    {
        var locks = new CloudToDeviceLocks(TimeProvider.System);
        Assert.True(locks.TryTake("app", 1, "first", DateTimeOffset.UtcNow.AddSeconds(-1)));
        Assert.False(locks.Holds("app", 1, "first"));
        Assert.True(locks.TryTake("app", 1, "second", DateTimeOffset.UtcNow.AddMinutes(1)));
        Assert.False(locks.TryTake("app", 1, "first", DateTimeOffset.UtcNow.AddMinutes(1)));
    }

    [Fact]
    public void Lapsed_locks_of_messages_never_asked_for_again_are_swept_away()
    {
        var locks = new CloudToDeviceLocks(TimeProvider.System);
        var lapsed = DateTimeOffset.UtcNow.AddSeconds(-1);
        for (var id = 0; id < CloudToDeviceLocks.SweepEvery - 2; id++)
        {
            Assert.True(locks.TryTake("app", id, "receive", lapsed));
        }

        Assert.True(locks.TryTake("app", -1, "mqtt-connection", DateTimeOffset.MaxValue));
        Assert.Equal(CloudToDeviceLocks.SweepEvery - 1, locks.Count);

        // The next take is the one that sweeps.
        Assert.True(locks.TryTake("app", -2, "receive", DateTimeOffset.UtcNow.AddMinutes(1)));
        Assert.Equal(2, locks.Count);
        Assert.True(locks.Holds("app", -1, "mqtt-connection"));
    }
}
