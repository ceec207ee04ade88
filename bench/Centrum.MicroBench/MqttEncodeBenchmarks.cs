using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Centrum.IotHub;
using Centrum.IotHub.Mqtt;

namespace Centrum.MicroBench;

/// <summary>Encoding what the server sends a device (MQTT 3.1.1 §3) into the connection's reused output buffer.</summary>
[MemoryDiagnoser]
public class MqttEncodeBenchmarks
{
    private readonly ArrayBufferWriter<byte> _output = new(4096);
    private readonly string _desiredTopic = IotHubTopics.DesiredPatch(12);
    private readonly byte[] _desiredBody = Encoding.UTF8.GetBytes("""{"targetTemperature":22.5,"fanSpeed":3,"$version":12}""");
    private readonly byte[] _granted = [1];

    [Benchmark, AllocationBudget(0)]
    public int Publish()
    {
        _output.ResetWrittenCount();
        MqttEncoder.Publish(_output, _desiredTopic, _desiredBody, qos: 1, packetId: 17, duplicate: false);
        return _output.WrittenCount;
    }

    [Benchmark, AllocationBudget(0)]
    public int PubAck()
    {
        _output.ResetWrittenCount();
        MqttEncoder.PubAck(_output, 0x1234);
        return _output.WrittenCount;
    }

    [Benchmark, AllocationBudget(0)]
    public int SubAck()
    {
        _output.ResetWrittenCount();
        MqttEncoder.SubAck(_output, 7, _granted);
        return _output.WrittenCount;
    }
}
