using System.Buffers;
using System.Diagnostics;
using Centrum.IotHub.Mqtt;

namespace Centrum.Gateway.Tests;

/// <summary>
/// The MQTT decoder reads whatever a socket delivers: random bytes and mutations of valid packets of every type,
/// cut across segments at random points, only ever yield its own statuses, within a time and memory budget per input.
/// </summary>
public sealed class MqttDecoderFuzzTests
{
    private const int Inputs = 250_000;

    [Fact]
    public void A_hundred_thousand_generated_inputs_yield_only_decoder_statuses_within_budget()
    {
        var random = new Random(20261127);
        var statuses = new Dictionary<MqttDecodeStatus, int>();
        var packets = 0L;
        var run = Stopwatch.StartNew();
        for (var i = 0; i < Inputs; i++)
        {
            var input = MqttFuzz.Next(random);
            var failure = MqttFuzz.Check(input, random, out var status, out var decoded, out _, out _);
            packets += decoded;
            Assert.True(failure is null, $"input {i} ({Convert.ToHexString(input.AsSpan(0, Math.Min(input.Length, 64)))}…, {input.Length} bytes): {failure}");
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
        }

        // The generator reaches every outcome, or the run proves little.
        Assert.True(packets > Inputs / 10, $"only {packets} packets were decoded");
        foreach (var status in Enum.GetValues<MqttDecodeStatus>().Where(s => s != MqttDecodeStatus.Packet))
        {
            Assert.True(statuses.GetValueOrDefault(status) > 100, $"only {statuses.GetValueOrDefault(status)} inputs ended {status}");
        }

        Assert.True(run.Elapsed < TimeSpan.FromSeconds(60), $"the run took {run.Elapsed}");
    }

    [Fact]
    public void Splitting_keeps_every_byte_in_order()
    {
        var random = new Random(7);
        for (var i = 0; i < 1000; i++)
        {
            var input = MqttFuzz.Next(random);
            Assert.Equal(input, MqttFuzz.Split(input, random).ToArray());
        }
    }
}
