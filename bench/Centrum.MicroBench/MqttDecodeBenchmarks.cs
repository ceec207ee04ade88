using System.Buffers;
using BenchmarkDotNet.Attributes;
using Centrum.IotHub.Mqtt;

namespace Centrum.MicroBench;

/// <summary>
/// Decoding the packets a device sends (MQTT 3.1.1 §3). A PUBLISH keeps its topic and payload (they outlive the
/// receive buffer); everything else a packet reads is the packet object and its strings.
/// </summary>
[MemoryDiagnoser]
public class MqttDecodeBenchmarks
{
    private const int MaxPacketSize = 256 * 1024 + 1024;

    private readonly byte[] _connect = Packets.Connect();
    private readonly byte[] _publishQos0 = Packets.Publish(qos: 0);
    private readonly byte[] _publishQos1 = Packets.Publish(qos: 1);
    private readonly byte[] _pubAck = [0x40, 2, 0x12, 0x34];
    private readonly byte[] _subscribe = Packets.Subscribe();

    [Benchmark, AllocationBudget(768)]
    public object? Connect() => Decode(_connect);

    [Benchmark, AllocationBudget(480)]
    public object? PublishQos0() => Decode(_publishQos0);

    [Benchmark, AllocationBudget(480)]
    public object? PublishQos1() => Decode(_publishQos1);

    [Benchmark, AllocationBudget(24)]
    public object? PubAck() => Decode(_pubAck);

    [Benchmark, AllocationBudget(240)]
    public object? Subscribe() => Decode(_subscribe);

    private static MqttPacket? Decode(byte[] bytes)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);
        return MqttDecoder.TryRead(ref buffer, MaxPacketSize, out var packet) == MqttDecodeStatus.Packet
            ? packet
            : throw new InvalidOperationException("The sample packet did not decode.");
    }
}
