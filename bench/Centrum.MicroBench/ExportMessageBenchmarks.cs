using System.Text.Json;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Centrum.Devices;
using Centrum.Export.Internal;
using Centrum.Telemetry;
using Centrum.Templates;
using Centrum.Templates.Dtdl;

namespace Centrum.MicroBench;

/// <summary>
/// Building one export message in IoT Central's format (<c>schema: default@v1</c>) and writing it as the bytes a
/// destination sends, as the export pipeline does for a record without a transform.
/// </summary>
[MemoryDiagnoser]
public class ExportMessageBenchmarks
{
    private const string Controller = "dtmi:com:example:Controller;1";
    private const string Thermostat = "dtmi:com:example:Thermostat;1";
    private static readonly DateTimeOffset Time = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);

    private readonly DeviceFacts _facts = Facts();
    private readonly SourceRecord _telemetry = new(
        42, Time, Packets.DeviceId, null, "Telemetry", null,
        new StoredMessage(42, Time, Packets.DeviceId, null, "thermostat1", "mid-1", "application/json", "utf-8", """{"alert":"on","site":"plant-7"}""", Packets.TelemetryBody));

    private readonly SourceRecord _propertyChange = new(
        43, Time, Packets.DeviceId, null, "ReportedPropertiesChanged",
        JsonNode.Parse("""{"version":3,"patch":{"serialNumber":"SN-1","thermostat1":{"__t":"c","targetTemperature":{"value":20,"ac":200,"av":2}},"$version":3}}""")!.AsObject(),
        null);

    [Benchmark, AllocationBudget(3700)]
    public int Telemetry() => Write(_telemetry);

    [Benchmark, AllocationBudget(4000)]
    public int PropertyChange() => Write(_propertyChange);

    private int Write(SourceRecord record)
    {
        var bytes = 0;
        foreach (var message in ExportMessages.Build("3b8c1d2e-0000-4000-8000-000000000042", record, _facts))
        {
            bytes += JsonSerializer.SerializeToUtf8Bytes(message).Length;
        }

        return bytes;
    }

    private static DeviceFacts Facts()
    {
        var thermostat = $$"""{"@context":"dtmi:dtdl:context;2","@id":"{{Thermostat}}","@type":"Interface","contents":[{"@type":"Telemetry","name":"temperature","schema":"double"},{"@type":"Property","name":"targetTemperature","schema":"double","writable":true}]}""";
        var controller = $$"""{"@context":"dtmi:dtdl:context;2","@id":"{{Controller}}","@type":"Interface","contents":[{"@type":"Property","name":"serialNumber","schema":"string"},{"@type":"Component","name":"thermostat1","schema":"{{Thermostat}}"}]}""";
        var parsed = DtdlParser.Parse($"[{controller},{thermostat}]");
        if (!parsed.IsValid)
        {
            throw new InvalidOperationException(string.Join("; ", parsed.Errors));
        }

        var template = new DeviceTemplate(Controller, Controller, "Controller", null, [], JsonNode.Parse(controller)!, "e", parsed.Interfaces[Controller]);
        var device = new Device(Packets.DeviceId, "e", "Thermostat 42", Controller, true, true, false, ["north"], Controller, null, null);
        return new DeviceFacts(device, template, null);
    }
}
