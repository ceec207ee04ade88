using BenchmarkDotNet.Attributes;
using Centrum.IotHub;
using Centrum.Telemetry.Internal;

namespace Centrum.MicroBench;

/// <summary>
/// A message's property bag read from a telemetry topic, and written: as the stored properties' JSON, and as the
/// bag of a cloud-to-device topic (IoT Hub docs "Communicate with an IoT hub using the MQTT protocol").
/// </summary>
[MemoryDiagnoser]
public class PropertyBagBenchmarks
{
    private readonly string _bag = Packets.Bag;
    private readonly List<KeyValuePair<string, string?>> _properties = [new("alert", "on"), new("site", "plant-7"), new("iothub-creation-time-utc", "2026-11-28T10:00:00.000Z")];
    private readonly KeyValuePair<string, string?>[] _systemProperties = [new("mid", "c2d-0042"), new("to", "/devices/" + Packets.DeviceId + "/messages/devicebound"), new("ct", "application/json")];
    private readonly KeyValuePair<string, string>[] _applicationProperties = [new("priority", "high"), new("reason", "set point")];

    /// <summary>As the telemetry handler reads a bag: parsed, measured against the message size limit, system properties looked up.</summary>
    [Benchmark, AllocationBudget(864)]
    public int Parse()
    {
        var bag = PropertyBag.Parse(_bag);
        return bag.Size + (bag.Get("$.mid")?.Length ?? 0) + (bag.Get("$.sub")?.Length ?? 0);
    }

    [Benchmark, AllocationBudget(224)]
    public string FormatPropertiesJson() => BodyFields.PropertiesJson(_properties);

    [Benchmark, AllocationBudget(800)]
    public string FormatCloudToDeviceTopic() => IotHubTopics.CloudToDevice(Packets.DeviceId, _systemProperties, _applicationProperties);
}
