using System.Text.Json.Nodes;
using Centrum.Outcomes;
using Centrum.Templates.Dtdl;

namespace Centrum.Templates.Tests;

/// <summary>
/// The template's rules for telemetry reads and property writes, and the declared-only property view: owned by the
/// templates area, so REST, jobs and pages meet the same refusals. Checked without a server.
/// </summary>
public sealed class TemplateRulesTests
{
    private const string Id = "dtmi:com:example:Thermostat;1";

    private static readonly DeviceTemplate Template = Parse("""
        {
          "@context": ["dtmi:dtdl:context;2", "dtmi:iotcentral:context;2"],
          "@id": "dtmi:com:example:Thermostat;1",
          "@type": "Interface",
          "contents": [
            { "@type": "Telemetry", "name": "temperature", "schema": "double" },
            { "@type": "Property", "name": "target", "schema": "double", "writable": true },
            { "@type": "Property", "name": "mode", "writable": true, "schema": { "@type": "Enum", "valueSchema": "string", "enumValues": [ { "name": "heat", "enumValue": "heat" }, { "name": "cool", "enumValue": "cool" } ] } },
            { "@type": "Property", "name": "serialNumber", "schema": "string" },
            { "@type": ["Property", "Cloud"], "name": "site", "schema": "string" },
            { "@type": "Component", "name": "fan", "schema": {
                "@id": "dtmi:com:example:Fan;1", "@type": "Interface", "contents": [
                  { "@type": "Telemetry", "name": "rpm", "schema": "integer" },
                  { "@type": "Property", "name": "speed", "schema": "integer", "writable": true },
                  { "@type": "Property", "name": "firmware", "schema": "string" } ] } }
          ]
        }
        """);

    private static DeviceTemplate Parse(string model)
    {
        var parsed = DtdlParser.Parse(model);
        Assert.True(parsed.IsValid, string.Join("; ", parsed.Errors));
        return new DeviceTemplate(Id, Id, "Thermostat", null, ["ModelDefinition", "DeviceModel"], JsonNode.Parse(model)!, "etag", parsed.Interfaces[Id]);
    }

    private static JsonObject Json(string text) => JsonNode.Parse(text)!.AsObject();

    public static TheoryData<string?, string, ProblemKind, string> RefusedWrites => new()
    {
        { null, """{"humidity":40}""", ProblemKind.Invalid, "Property 'humidity' is not declared by template 'dtmi:com:example:Thermostat;1'" },
        { null, """{"serialNumber":"A-1"}""", ProblemKind.Invalid, "Property 'serialNumber' of template 'dtmi:com:example:Thermostat;1' is not writable" },
        { null, """{"target":"warm"}""", ProblemKind.Invalid, "The value of property 'target' does not match its schema" },
        { null, """{"mode":"dry"}""", ProblemKind.Invalid, "The value of property 'mode' does not match its schema" },
        { null, """{"fan":3}""", ProblemKind.Invalid, "Component 'fan' takes an object of its properties" },
        { null, """{"fan":{"speed":"fast"}}""", ProblemKind.Invalid, "The value of property 'speed' does not match its schema in component 'fan'" },
        { null, """{"fan":{"firmware":"2.0"}}""", ProblemKind.Invalid, "Property 'firmware' of component 'fan' of template 'dtmi:com:example:Thermostat;1' is not writable" },
        { null, """{"fan":{"fan":{"speed":1}}}""", ProblemKind.Invalid, "Property 'fan' is not declared by component 'fan'" },
        { "fan", """{"target":21}""", ProblemKind.Invalid, "Property 'target' is not declared by component 'fan'" },
        { "blower", """{"speed":1}""", ProblemKind.NotFound, "Component 'blower' is not declared by template 'dtmi:com:example:Thermostat;1'" },
    };

    [Theory]
    [MemberData(nameof(RefusedWrites))]
    public void A_write_the_template_does_not_allow_is_refused_naming_what_is_wrong(string? component, string body, ProblemKind kind, string message)
    {
        var problem = DeviceModels.CheckWrites(Template, component, Json(body));

        Assert.NotNull(problem);
        Assert.Equal(kind, problem.Kind);
        Assert.Contains(message, problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, """{"target":21.5,"mode":"cool"}""")]
    [InlineData(null, """{"target":null}""")]
    [InlineData(null, """{"site":"Building 7"}""")]
    [InlineData(null, """{"fan":{"speed":1200}}""")]
    [InlineData("fan", """{"speed":1200}""")]
    [InlineData(null, """{}""")]
    public void A_write_of_declared_writable_properties_with_fitting_values_is_allowed(string? component, string body) =>
        Assert.Null(DeviceModels.CheckWrites(Template, component, Json(body)));

    [Fact]
    public void An_unmodeled_write_keeps_only_the_declared_part_for_checking()
    {
        var modeled = DeviceModels.Modeled(Template, null, Json("""{"target":21,"extra":1,"fan":{"speed":3,"other":true}}"""));

        Assert.NotNull(modeled);
        Assert.True(JsonNode.DeepEquals(Json("""{"target":21,"fan":{"speed":3}}"""), modeled));
        Assert.Null(DeviceModels.Modeled(Template, "blower", Json("""{"speed":1}""")));
        Assert.NotNull(DeviceModels.CheckWrites(Template, null, DeviceModels.Modeled(Template, null, Json("""{"target":"hot","extra":1}"""))!));
    }

    [Theory]
    [InlineData(null, "temperature", null)]
    [InlineData("fan", "rpm", null)]
    [InlineData(null, "rpm", "Telemetry 'rpm' is not declared by template 'dtmi:com:example:Thermostat;1'; add unmodeled=true")]
    [InlineData("fan", "temperature", "Telemetry 'temperature' is not declared by component 'fan'")]
    [InlineData("blower", "rpm", "Component 'blower' is not declared")]
    public void A_telemetry_read_names_a_declared_telemetry_or_is_not_found(string? component, string name, string? message)
    {
        var problem = DeviceModels.CheckTelemetry(Template, component, name);

        if (message is null)
        {
            Assert.Null(problem);
        }
        else
        {
            Assert.NotNull(problem);
            Assert.Equal(ProblemKind.NotFound, problem.Kind);
            Assert.Contains(message, problem.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_declared_view_keeps_declared_properties_and_their_metadata_and_recurses_into_components()
    {
        var view = Json("""
            {
              "target": 21, "serialNumber": "A-1", "stray": 5,
              "fan": { "__t": "c", "speed": 3, "ghost": 1 },
              "$metadata": { "target": { "desiredValue": 21 }, "stray": { "lastUpdateTime": "2026-01-01T00:00:00Z" } }
            }
            """);

        var declared = DeviceModels.Declared(Template, null, view);

        Assert.True(JsonNode.DeepEquals(
            Json("""{"target":21,"serialNumber":"A-1","fan":{"speed":3},"$metadata":{"target":{"desiredValue":21}}}"""), declared),
            declared.ToJsonString());
        Assert.True(JsonNode.DeepEquals(Json("""{"speed":3}"""), DeviceModels.Declared(Template, "fan", Json("""{"speed":3,"target":1}"""))));
    }
}
