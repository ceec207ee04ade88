using BenchmarkDotNet.Attributes;
using Centrum.IotHub;

namespace Centrum.MicroBench;

/// <summary>Classifying the topic of every PUBLISH a device sends (IoT Hub docs "Communicate with an IoT hub using the MQTT protocol").</summary>
[MemoryDiagnoser]
public class TopicBenchmarks
{
    private readonly string _telemetry = Packets.TelemetryTopic;
    private readonly string _twinGet = "$iothub/twin/GET/?$rid=7";
    private readonly string _twinReported = "$iothub/twin/PATCH/properties/reported/?$rid=8";
    private readonly string _methodResponse = "$iothub/methods/res/200/?$rid=5";

    [Benchmark, AllocationBudget(0)]
    public int TelemetryWithBag() => Consume(IotHubTopics.ClassifyPublish(_telemetry, Packets.DeviceId, null));

    [Benchmark, AllocationBudget(24)]
    public int TwinGet() => Consume(IotHubTopics.ClassifyPublish(_twinGet, Packets.DeviceId, null));

    [Benchmark, AllocationBudget(24)]
    public int TwinPatchReported() => Consume(IotHubTopics.ClassifyPublish(_twinReported, Packets.DeviceId, null));

    [Benchmark, AllocationBudget(24)]
    public int MethodResponse() => Consume(IotHubTopics.ClassifyPublish(_methodResponse, Packets.DeviceId, null));

    private static int Consume(DeviceTopic topic) => (int)topic.Kind + topic.Bag.Length + (topic.RequestId?.Length ?? 0) + topic.Status;
}
