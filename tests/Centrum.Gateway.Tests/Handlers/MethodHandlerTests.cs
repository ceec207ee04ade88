using System.Text;
using System.Text.Json.Nodes;
using Centrum.Commands;
using Centrum.Gateway.Handlers;
using Centrum.IotHub.Connections;

namespace Centrum.Gateway.Tests.Handlers;

/// <summary>
/// Direct methods on one connection without a socket: what goes out is decoded as the device would read it, and the
/// device's answers are handed back by request id.
/// </summary>
public sealed class MethodHandlerTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Each_call_gets_its_own_request_id_and_an_answer_completes_only_its_own_call()
    {
        var (handler, outbound) = Listening();
        var first = handler.InvokeAsync("reboot", new JsonObject { ["delay"] = 1 }, Long, CancellationToken.None);
        var second = handler.InvokeAsync("reboot", null, Long, CancellationToken.None);

        var requests = OutboundFrames.Drain(outbound).Select(OutboundFrames.Publish).ToList();
        Assert.Equal(2, requests.Count);
        var ids = requests.Select(r => RequestId(r.Topic)).ToList();
        Assert.NotEqual(ids[0], ids[1]);
        Assert.All(requests, r => Assert.StartsWith("$iothub/methods/POST/reboot/?$rid=", r.Topic, StringComparison.Ordinal));
        Assert.Equal("{\"delay\":1}", Encoding.UTF8.GetString(requests[0].Payload));
        // The Node SDK parses every request body: no payload is the JSON null, not an empty body.
        Assert.Equal("null", Encoding.UTF8.GetString(requests[1].Payload));

        Assert.Equal(PacketResult.Continue, handler.Answered(ids[1], 201, Encoding.UTF8.GetBytes("{\"ok\":true}")));
        var answered = await second.WaitAsync(Long);
        Assert.Equal(DirectMethodStatus.Answered, answered.Status);
        Assert.Equal(201, answered.ResponseCode);
        Assert.True(answered.Payload!["ok"]!.GetValue<bool>());
        Assert.False(first.IsCompleted);

        handler.Answered(ids[0], 200, []);
        var firstAnswer = await first.WaitAsync(Long);
        Assert.Equal(200, firstAnswer.ResponseCode);
        Assert.Null(firstAnswer.Payload);
        Assert.Equal(0, handler.Pending);
    }

    [Fact]
    public async Task Unknown_and_repeated_answers_are_dropped()
    {
        var (handler, outbound) = Listening();
        Assert.Equal(PacketResult.Continue, handler.Answered("nobody", 200, []));

        var call = handler.InvokeAsync("ping", null, Long, CancellationToken.None);
        var id = RequestId(OutboundFrames.Publish(Assert.Single(OutboundFrames.Drain(outbound))).Topic);
        handler.Answered(id, 200, Encoding.UTF8.GetBytes("1"));
        Assert.Equal(PacketResult.Continue, handler.Answered(id, 500, Encoding.UTF8.GetBytes("2")));

        var result = await call.WaitAsync(Long);
        Assert.Equal(200, result.ResponseCode);
        Assert.Equal(1, result.Payload!.GetValue<int>());
    }

    [Fact]
    public async Task An_answer_that_is_not_JSON_reaches_the_caller_as_a_string_of_its_text()
    {
        var (handler, outbound) = Listening();
        var call = handler.InvokeAsync("echo", null, Long, CancellationToken.None);
        var id = RequestId(OutboundFrames.Publish(Assert.Single(OutboundFrames.Drain(outbound))).Topic);
        handler.Answered(id, 200, Encoding.UTF8.GetBytes("plain {text"));

        var result = await call.WaitAsync(Long);
        Assert.Equal("plain {text", result.Payload!.GetValue<string>());
    }

    [Fact]
    public async Task A_device_not_listening_for_methods_is_not_connected_and_is_sent_nothing()
    {
        var outbound = new OutboundQueue(100, 1024 * 1024);
        var handler = new MethodHandler(new Subscriptions(), outbound, TimeProvider.System);

        var result = await handler.InvokeAsync("reboot", null, Long, CancellationToken.None);

        Assert.Equal(DirectMethodStatus.NotConnected, result.Status);
        Assert.Empty(OutboundFrames.Drain(outbound));
        Assert.Equal(0, handler.Pending);
    }

    [Fact]
    public async Task Stopping_answers_a_waiting_call_not_connected_at_once_and_refuses_new_calls()
    {
        var (handler, outbound) = Listening();
        var waiting = handler.InvokeAsync("reboot", null, Long, CancellationToken.None);
        Assert.Single(OutboundFrames.Drain(outbound));

        handler.Stop();

        Assert.Equal(DirectMethodStatus.NotConnected, (await waiting.WaitAsync(Long)).Status);
        Assert.Equal(DirectMethodStatus.NotConnected, (await handler.InvokeAsync("reboot", null, Long, CancellationToken.None)).Status);
        Assert.Empty(OutboundFrames.Drain(outbound));
        Assert.Equal(0, handler.Pending);
    }

    [Fact]
    public async Task A_call_the_device_never_answers_times_out_and_a_late_answer_is_dropped()
    {
        var (handler, outbound) = Listening();
        var result = await handler.InvokeAsync("slow", null, TimeSpan.FromMilliseconds(100), CancellationToken.None);

        Assert.Equal(DirectMethodStatus.Timeout, result.Status);
        Assert.Equal(0, handler.Pending);
        var id = RequestId(OutboundFrames.Publish(Assert.Single(OutboundFrames.Drain(outbound))).Topic);
        Assert.Equal(PacketResult.Continue, handler.Answered(id, 200, []));
    }

    [Fact]
    public async Task A_device_whose_outbound_queue_is_full_is_not_connected()
    {
        var subscriptions = Subscribed();
        var outbound = new OutboundQueue(1, 1024 * 1024);
        Assert.True(outbound.TryEnqueue(Outbound.Frame(_ => { })));
        var handler = new MethodHandler(subscriptions, outbound, TimeProvider.System);

        var result = await handler.InvokeAsync("reboot", null, Long, CancellationToken.None);

        Assert.Equal(DirectMethodStatus.NotConnected, result.Status);
        Assert.Equal(0, handler.Pending);
    }

    private static (MethodHandler Handler, OutboundQueue Outbound) Listening()
    {
        var outbound = new OutboundQueue(100, 1024 * 1024);
        return (new MethodHandler(Subscribed(), outbound, TimeProvider.System), outbound);
    }

    private static Subscriptions Subscribed()
    {
        var subscriptions = new Subscriptions();
        subscriptions.Replace(new Dictionary<string, byte>(StringComparer.Ordinal) { ["$iothub/methods/POST/#"] = 0 });
        return subscriptions;
    }

    private static string RequestId(string topic) => topic[(topic.IndexOf("?$rid=", StringComparison.Ordinal) + 6)..];
}
