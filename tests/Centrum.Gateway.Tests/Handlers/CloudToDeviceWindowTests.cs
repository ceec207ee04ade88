using Centrum.Gateway.Handlers;

namespace Centrum.Gateway.Tests.Handlers;

/// <summary>
/// The bookkeeping of cloud-to-device messages in flight: the window's room, and packet ids that wrap within
/// 1…65535 without ever reusing one still unacknowledged (MQTT 3.1.1 §2.3.1).
/// </summary>
public sealed class CloudToDeviceWindowTests
{
    [Fact]
    public void Sending_takes_room_and_an_acknowledgement_gives_it_back_with_the_message_it_carried()
    {
        var window = new CloudToDeviceWindow(3);
        var a = window.Send(100);
        var b = window.Send(101);
        Assert.Equal(1, window.Room);

        Assert.Equal(101, window.Acknowledge(b));
        Assert.Equal(2, window.Room);
        Assert.Null(window.Acknowledge(b));
        Assert.Null(window.Acknowledge(999));
        Assert.Equal(2, window.Room);
        Assert.Equal(100, window.Acknowledge(a));
        Assert.Equal(3, window.Room);
    }

    [Fact]
    public void Packet_ids_wrap_past_65535_to_1_and_skip_one_still_in_flight()
    {
        var window = new CloudToDeviceWindow(10);
        var held = window.Send(0);
        Assert.Equal(2, held);

        // Ids 3…65535 and then 1 come and go; id 2 is still in flight when its turn comes again.
        var seen = new List<ushort>();
        for (var i = 0; i < 65534; i++)
        {
            var id = window.Send(i + 1);
            seen.Add(id);
            Assert.Equal(i + 1, window.Acknowledge(id));
        }

        Assert.Equal(3, seen[0]);
        Assert.Equal(ushort.MaxValue, seen[^2]);
        Assert.Equal(1, seen[^1]);
        Assert.Equal(3, window.Send(-1));
        Assert.Equal(0, window.Acknowledge(held));
    }

    [Fact]
    public void Any_order_of_sends_and_acknowledgements_never_hands_out_an_id_in_flight()
    {
        var random = new Random(20261127);
        var window = new CloudToDeviceWindow(10);
        var inFlight = new Dictionary<ushort, long>();
        long next = 0;
        for (var step = 0; step < 300_000; step++)
        {
            if (window.Room > 0 && (inFlight.Count == 0 || random.Next(3) > 0))
            {
                var id = window.Send(next);
                Assert.InRange(id, (ushort)1, ushort.MaxValue);
                Assert.True(inFlight.TryAdd(id, next), $"packet id {id} handed out while in flight");
                next++;
            }
            else
            {
                var id = inFlight.Keys.ElementAt(random.Next(inFlight.Count));
                Assert.Equal(inFlight[id], window.Acknowledge(id));
                inFlight.Remove(id);
            }

            Assert.Equal(10 - inFlight.Count, window.Room);
        }
    }
}
