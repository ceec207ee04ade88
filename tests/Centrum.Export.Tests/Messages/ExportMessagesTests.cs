using System.Text;
using System.Text.Json.Nodes;
using Centrum.Devices;
using Centrum.Export.Internal;
using Centrum.Telemetry;
using Centrum.Templates;
using Centrum.Templates.Dtdl;
using Centrum.Twins;

namespace Centrum.Export.Tests.Messages;

/// <summary>Records of the durable logs as IoT Central's export messages, and enrichments over device facts.</summary>
public sealed class ExportMessagesTests
{
    private const string Controller = "dtmi:com:example:Controller;1";
    private const string Thermostat = "dtmi:com:example:Thermostat;1";
    private static readonly DateTimeOffset Time = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Telemetry_keeps_body_component_module_and_message_properties()
    {
        var stored = new StoredMessage(42, Time, "d1", "m1", "thermostat1", "mid-1", "application/json", "utf-8", """{"alert":"on"}""", Encoding.UTF8.GetBytes("""{"temperature":21.5}"""));
        var message = Assert.Single(ExportMessages.Build("app", new SourceRecord(42, Time, "d1", "m1", "Telemetry", null, stored), Facts()));
        Assert.Equal("telemetry", (string?)message["messageSource"]);
        Assert.Equal("default@v1", (string?)message["schema"]);
        Assert.Equal("app", (string?)message["applicationId"]);
        Assert.Equal(Controller, (string?)message["templateId"]);
        Assert.Equal("2026-11-26T10:00:00.000Z", (string?)message["enqueuedTime"]);
        Assert.Equal(21.5, (double)message["telemetry"]!["temperature"]!);
        Assert.Equal("on", (string?)message["messageProperties"]!["alert"]);
        Assert.Equal("thermostat1", (string?)message["component"]);
        Assert.Equal("m1", (string?)message["module"]);
        Assert.Equal(42, (long)message["sequenceNumber"]!);
    }

    [Fact]
    public void A_body_that_is_not_json_travels_as_base64()
    {
        var stored = new StoredMessage(1, Time, "d1", null, null, null, null, null, "{}", [0xff, 0x00, 0x01]);
        var message = Assert.Single(ExportMessages.Build("app", new SourceRecord(1, Time, "d1", null, "Telemetry", null, stored), Facts()));
        Assert.Equal("/wAB", (string?)message["rawBody"]);
        Assert.Empty(message["telemetry"]!.AsObject());
    }

    [Fact]
    public void A_body_with_a_member_named_twice_travels_as_base64()
    {
        var body = Encoding.UTF8.GetBytes("""{"t":1,"t":2}""");
        var stored = new StoredMessage(1, Time, "d1", null, null, null, "application/json", "utf-8", "{}", body);
        var message = Assert.Single(ExportMessages.Build("app", new SourceRecord(1, Time, "d1", null, "Telemetry", null, stored), Facts()));
        Assert.Equal(Convert.ToBase64String(body), (string?)message["rawBody"]);
        Assert.NotEmpty(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(message));
    }

    [Fact]
    public void Property_changes_list_root_and_component_properties_without_markers_or_versions()
    {
        var data = JsonNode.Parse("""{"version":3,"patch":{"serialNumber":"SN-1","thermostat1":{"__t":"c","targetTemperature":{"value":20,"ac":200,"av":2}},"$version":3}}""")!.AsObject();
        var message = Assert.Single(ExportMessages.Build("app", new SourceRecord(7, Time, "d1", null, "ReportedPropertiesChanged", data, null), Facts()));
        Assert.Equal("properties", (string?)message["messageSource"]);
        Assert.Equal("devicePropertyReportedChange", (string?)message["messageType"]);
        var properties = message["properties"]!.AsArray().Select(p => p!.AsObject()).ToList();
        Assert.Equal(2, properties.Count);
        Assert.Equal("SN-1", (string?)properties.Single(p => (string?)p["name"] == "serialNumber")["value"]);
        var target = properties.Single(p => (string?)p["name"] == "targetTemperature");
        Assert.Equal("thermostat1", (string?)target["component"]);
        Assert.Equal(20, (int)target["value"]!); // the acknowledged value, as REST shows it
    }

    [Fact]
    public void A_template_component_is_recognised_without_its_marker()
    {
        var data = JsonNode.Parse("""{"patch":{"thermostat1":{"targetTemperature":25}}}""")!.AsObject();
        var message = Assert.Single(ExportMessages.Build("app", new SourceRecord(8, Time, "d1", null, "DesiredPropertiesChanged", data, null), Facts()));
        Assert.Equal("devicePropertyDesiredChange", (string?)message["messageType"]);
        var property = Assert.Single(message["properties"]!.AsArray())!;
        Assert.Equal("thermostat1", (string?)property["component"]);
        Assert.Equal(25, (int)property["value"]!);
    }

    [Theory]
    [InlineData("Created", null, new[] { "registered" })]
    [InlineData("Created", """{"provisioned":true}""", new[] { "registered", "provisioned" })]
    [InlineData("Updated", """{"changes":["disabled","displayNameChanged"]}""", new[] { "disabled", "displayNameChanged" })]
    [InlineData("Deleted", null, new[] { "deleted" })]
    [InlineData("Connected", null, new[] { "connected" })]
    [InlineData("Disconnected", null, new[] { "disconnected" })]
    public void Device_events_become_lifecycle_and_connectivity_messages(string kind, string? data, string[] types)
    {
        var record = new SourceRecord(9, Time, "d1", null, kind, data is null ? null : JsonNode.Parse(data)!.AsObject(), null);
        var messages = ExportMessages.Build("app", record, Facts()).ToList();
        Assert.Equal(types, messages.Select(m => (string?)m["messageType"]));
        Assert.All(messages, m => Assert.Equal(kind.EndsWith("onnected", StringComparison.Ordinal) ? "deviceConnectivity" : "deviceLifecycle", (string?)m["messageSource"]));
        Assert.All(messages, m => Assert.Equal("d1", (string?)m["deviceId"]));
    }

    [Fact]
    public void Template_changes_carry_the_template_and_its_name()
    {
        var record = new SourceRecord(10, Time, "", null, "TemplateChanged", JsonNode.Parse($$"""{"change":"updated","templateId":"{{Controller}}","displayName":"Controller"}""")!.AsObject(), null);
        var message = Assert.Single(ExportMessages.Build("app", record, new DeviceFacts(null, null, null)));
        Assert.Equal("deviceTemplateLifecycle", (string?)message["messageSource"]);
        Assert.Equal("updated", (string?)message["messageType"]);
        Assert.Equal(Controller, (string?)message["templateId"]);
        Assert.Equal("Controller", (string?)message["templateName"]);
    }

    [Fact]
    public void Enrichments_read_static_values_system_properties_and_properties_by_interface()
    {
        var enrichments = JsonNode.Parse($$$"""
            {"site":{"value":"plant-7"},"name":{"path":"$displayName"},"template":{"path":"$templateDisplayName"},"orgs":{"path":"$organizations"},
             "serial":{"target":"{{{Controller}}}","path":"serialNumber"},"target":{"target":"{{{Thermostat}}}","path":"targetTemperature"},
             "region":{"target":"{{{Controller}}}","path":"region"},"missing":{"target":"{{{Controller}}}","path":"nothing"},"other":{"target":"dtmi:x:y;1","path":"serialNumber"}}
            """)!.AsObject();
        var result = Enrichments.Apply(enrichments, Facts(), "d1");
        Assert.Equal("plant-7", (string?)result["site"]);
        Assert.Equal("Device one", (string?)result["name"]);
        Assert.Equal("Controller", (string?)result["template"]);
        Assert.Equal("north", (string?)result["orgs"]![0]);
        Assert.Equal("SN-1", (string?)result["serial"]);
        Assert.Equal(20, (int)result["target"]!); // the acknowledged value, not the acknowledgement
        Assert.Equal("EU", (string?)result["region"]); // a cloud property
        Assert.False(result.ContainsKey("missing")); // never reported: left out, as IoT Central does
        Assert.False(result.ContainsKey("other"));
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("""{"site":{"value":"plant-7"},"name":{"path":"$displayName"}}""", false)]
    [InlineData("""{"site":{"value":"plant-7","target":"dtmi:x:y;1","path":"p"}}""", false)]
    [InlineData("""{"site":{"value":"plant-7"},"serial":{"target":"dtmi:x:y;1","path":"serialNumber"}}""", true)]
    public void Only_enrichments_that_read_device_properties_need_the_twin(string? enrichments, bool needsTwin)
    {
        var parsed = enrichments is null ? null : JsonNode.Parse(enrichments)!.AsObject();
        Assert.Equal(needsTwin, Enrichments.ReadProperties(parsed));
        if (parsed is not null && !needsTwin)
        {
            // Without the twin the same enrichments give the same values.
            Assert.Equal(Enrichments.Apply(parsed, Facts(), "d1").ToJsonString(), Enrichments.Apply(parsed, Facts() with { Twin = null }, "d1").ToJsonString());
        }
    }

    private static DeviceFacts Facts()
    {
        var thermostat = $$"""{"@context":"dtmi:dtdl:context;2","@id":"{{Thermostat}}","@type":"Interface","contents":[{"@type":"Property","name":"targetTemperature","schema":"double","writable":true}]}""";
        var controller = $$"""{"@context":"dtmi:dtdl:context;2","@id":"{{Controller}}","@type":"Interface","contents":[{"@type":"Property","name":"serialNumber","schema":"string"},{"@type":"Component","name":"thermostat1","schema":"{{Thermostat}}"}]}""";
        var parsed = DtdlParser.Parse($"[{controller},{thermostat}]");
        Assert.True(parsed.IsValid, string.Join("; ", parsed.Errors));
        var template = new DeviceTemplate(Controller, Controller, "Controller", null, [], JsonNode.Parse(controller)!, "e", parsed.Interfaces[Controller]);
        var device = new Device("d1", "e", "Device one", Controller, true, true, false, ["north"], Controller, null, null);
        var twin = new Twin(
            [], 1, [],
            JsonNode.Parse("""{"serialNumber":"SN-1","thermostat1":{"__t":"c","targetTemperature":{"value":20,"ac":200,"av":1}}}""")!.AsObject(), 2, [],
            JsonNode.Parse("""{"region":"EU"}""")!.AsObject(), []);
        return new DeviceFacts(device, template, twin);
    }
}
