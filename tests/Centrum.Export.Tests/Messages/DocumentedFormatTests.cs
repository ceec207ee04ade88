using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Devices;
using Centrum.Export.Internal;
using Centrum.Telemetry;
using Centrum.Templates;
using Centrum.Templates.Dtdl;

namespace Centrum.Export.Tests.Messages;

/// <summary>
/// Each export source's message against the example IoT Central publishes for it (DocumentedMessages.json): every
/// documented member present, at the same place, with the same JSON type; Centrum's own members allowed by name only.
/// </summary>
public sealed class DocumentedFormatTests
{
    private const string Root = "dtmi:com:example:Vitals;1";
    private const string Info = "dtmi:com:example:DeviceInfo;1";
    private static readonly DateTimeOffset Time = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);
    private static readonly string AppId = ApplicationGuid.For("contoso").ToString();

    /// <summary>The enrichment the documented examples show (<c>userSpecifiedKey: sampleValue</c>), as an export would set it up.</summary>
    private static readonly JsonObject SampleEnrichment = JsonNode.Parse("""{"userSpecifiedKey":{"value":"sampleValue"}}""")!.AsObject();

    [Fact]
    public void Telemetry_message_has_the_documented_members()
    {
        var body = DocumentedMessages.Example("telemetry")["telemetry"]!.ToJsonString();
        var stored = new StoredMessage(5, Time, "d1", "VitalsModule", "DeviceComponent", "mid-1", "application/json", "utf-8", """{"messageProp":"value"}""", Encoding.UTF8.GetBytes(body));
        var message = Single(new SourceRecord(5, Time, "d1", "VitalsModule", "Telemetry", null, stored), SampleEnrichment);
        AssertConforms("telemetry", message);
    }

    [Fact]
    public void Property_change_message_has_the_documented_members()
    {
        var data = JsonNode.Parse("""{"version":4,"patch":{"device_info":{"__t":"c","swVersion":"12","osName":"Android"},"$version":4}}""")!.AsObject();
        var message = Single(new SourceRecord(6, Time, "d1", null, "ReportedPropertiesChanged", data, null), enrichments: null);
        AssertConforms("properties", message);
    }

    [Fact]
    public void Device_connectivity_message_has_the_documented_members()
    {
        AssertConforms("deviceConnectivity", Single(new SourceRecord(7, Time, "d1", null, "Connected", null, null), SampleEnrichment));
    }

    [Fact]
    public void Device_lifecycle_message_has_the_documented_members()
    {
        AssertConforms("deviceLifecycle", Single(new SourceRecord(8, Time, "d1", null, "Created", null, null), SampleEnrichment), "templateName");
    }

    [Fact]
    public void Device_template_lifecycle_message_has_the_documented_members()
    {
        var data = JsonNode.Parse($$"""{"change":"created","templateId":"{{Root}}","displayName":"Vitals"}""")!.AsObject();
        var record = new SourceRecord(9, Time, "", null, "TemplateChanged", data, null);
        var message = Assert.Single(ExportMessages.Build(AppId, record, new DeviceFacts(null, null, null)));
        ExportMessages.Enrich(message, SampleEnrichment, new DeviceFacts(null, null, null), "");
        AssertConforms("deviceTemplateLifecycle", message, "templateName");
    }

    [Fact]
    public void Audit_message_has_the_documented_members()
    {
        // The shape the audit log records (Centrum.Identity AuditLog): IoT Central's actor, resource (with the display
        // name the answer gave it) and messageType, and Centrum's request and outcome.
        var data = JsonNode.Parse("""
            {"messageType":"created","actor":{"type":"apiToken","id":"test-audit"},"resource":{"type":"device","id":"sensor","displayName":"Sensor 1"},
             "request":{"method":"PUT","path":"/api/devices/sensor","address":"127.0.0.1"},"outcome":201}
            """)!.AsObject();
        var record = new SourceRecord(10, Time, "", null, "Audited", data, null);
        var message = Assert.Single(ExportMessages.Build(AppId, record, new DeviceFacts(null, null, null)));
        AssertConforms("audit", message, ["request", "outcome"]);
    }

    [Fact]
    public void Empty_enrichments_and_message_properties_are_empty_objects()
    {
        var stored = new StoredMessage(1, Time, "d1", null, null, null, "application/json", "utf-8", "{}", Encoding.UTF8.GetBytes("""{"t":1}"""));
        var message = Single(new SourceRecord(1, Time, "d1", null, "Telemetry", null, stored), enrichments: null);
        Assert.Equal("{}", message["enrichments"]!.ToJsonString());
        Assert.Equal("{}", message["messageProperties"]!.ToJsonString());
        foreach (var kind in new[] { "Connected", "Disconnected", "Created", "Deleted", "ReportedPropertiesChanged", "CloudPropertiesChanged" })
        {
            var other = Single(new SourceRecord(2, Time, "d1", null, kind, JsonNode.Parse("""{"patch":{"a":1}}""")!.AsObject(), null), enrichments: null);
            Assert.Equal("{}", other["enrichments"]!.ToJsonString());
        }
    }

    [Fact]
    public void A_component_the_template_does_not_model_is_not_named()
    {
        var stored = new StoredMessage(1, Time, "d1", null, "unmodeled", null, "application/json", "utf-8", "{}", Encoding.UTF8.GetBytes("""{"t":1}"""));
        var telemetry = Single(new SourceRecord(1, Time, "d1", null, "Telemetry", null, stored), enrichments: null);
        Assert.False(telemetry.ContainsKey("component"));

        // An object the device marks as a component without the template modeling one is an unmodeled property.
        var data = JsonNode.Parse("""{"patch":{"unmodeled":{"__t":"c","level":3}}}""")!.AsObject();
        var change = Single(new SourceRecord(2, Time, "d1", null, "ReportedPropertiesChanged", data, null), enrichments: null);
        var property = Assert.Single(change["properties"]!.AsArray())!.AsObject();
        Assert.False(property.ContainsKey("component"));
        Assert.Equal("unmodeled", (string?)property["name"]);
        Assert.Equal("""{"level":3}""", property["value"]!.ToJsonString());
    }

    [Fact]
    public void A_writable_property_acknowledgement_is_exported_as_its_value()
    {
        var data = JsonNode.Parse("""{"patch":{"fanSpeed":{"value":3,"ac":200,"av":7,"ad":"done"},"device_info":{"__t":"c","swVersion":{"value":"13","ac":200,"av":2}}}}""")!.AsObject();
        var change = Single(new SourceRecord(3, Time, "d1", null, "ReportedPropertiesChanged", data, null), enrichments: null);
        var properties = change["properties"]!.AsArray().Select(p => p!.AsObject()).ToDictionary(p => (string)p["name"]!);
        Assert.Equal(3, (int)properties["fanSpeed"]["value"]!);
        Assert.Equal("13", (string?)properties["swVersion"]["value"]);
        Assert.Equal("device_info", (string?)properties["swVersion"]["component"]);
    }

    [Fact]
    public void The_application_id_is_a_stable_name_based_guid()
    {
        var names = new[] { "contoso", "Contoso", "fabrikam", "a", new string('x', 64), "zé" };
        var ids = names.Select(ApplicationGuid.For).ToList();
        Assert.Equal(ids, names.Select(ApplicationGuid.For));
        Assert.Equal(names.Length, ids.Distinct().Count());
        foreach (var id in ids)
        {
            // RFC 9562 section 4.1 and 4.2: variant 10xx in the ninth octet's high bits, version 8 in the seventh's.
            var text = id.ToString();
            Assert.Equal('8', text[14]);
            Assert.Contains(text[19], "89ab");
        }
    }

    private static JsonObject Single(SourceRecord record, JsonObject? enrichments)
    {
        var facts = Facts();
        var message = Assert.Single(ExportMessages.Build(AppId, record, facts));
        ExportMessages.Enrich(message, enrichments, facts, record.DeviceId);

        // What a destination receives: the message as JSON text, read back.
        return JsonNode.Parse(JsonSerializer.Serialize(message))!.AsObject();
    }

    private static void AssertConforms(string source, JsonObject message, params string[] extras) => AssertConforms(source, message, extras, []);

    private static void AssertConforms(string source, JsonObject message, string[] extras, string[] missing)
    {
        Assert.Equal(source, (string?)message["messageSource"]);
        var problems = DocumentedMessages.Differences(message, extras, missing);
        Assert.True(problems.Count == 0, $"{source}: {string.Join("; ", problems)}\n{message.ToJsonString()}");
    }

    private static DeviceFacts Facts()
    {
        var info = $$"""{"@context":"dtmi:dtdl:context;2","@id":"{{Info}}","@type":"Interface","contents":[{"@type":"Property","name":"swVersion","schema":"string","writable":true},{"@type":"Property","name":"osName","schema":"string"}]}""";
        var root = $$"""
            {"@context":"dtmi:dtdl:context;2","@id":"{{Root}}","@type":"Interface","contents":[
             {"@type":"Property","name":"fanSpeed","schema":"integer","writable":true},
             {"@type":"Component","name":"device_info","schema":"{{Info}}"},{"@type":"Component","name":"DeviceComponent","schema":"{{Info}}"}]}
            """;
        var parsed = DtdlParser.Parse($"[{root},{info}]");
        Assert.True(parsed.IsValid, string.Join("; ", parsed.Errors));
        var template = new DeviceTemplate(Root, Root, "Vitals", null, [], JsonNode.Parse(root)!, "e", parsed.Interfaces[Root]);
        var device = new Device("d1", "e", "Device one", Root, true, true, false, [], Root, null, null);
        return new DeviceFacts(device, template, null);
    }
}
