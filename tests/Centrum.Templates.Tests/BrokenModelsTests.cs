using Centrum.Templates.Dtdl;

namespace Centrum.Templates.Tests;

/// <summary>A corpus of broken models: each is refused with the path where the problem is and why.</summary>
public sealed class BrokenModelsTests
{
    private const string V2 = "\"dtmi:dtdl:context;2\"";
    private const string V3 = "\"dtmi:dtdl:context;3\"";

    private static string Model(string contents, string context = V2, string extra = "") =>
        $$"""{"@context":{{context}},"@id":"dtmi:com:example:Broken;1","@type":"Interface"{{extra}},"contents":[{{contents}}]}""";

    public static TheoryData<string, string, string, string> Corpus() => new()
    {
        { "misspelled member", Model("""{"@type":"Telemetry","name":"t","shema":"double"}"""), "$.contents[0].shema", "did you mean 'schema'" },
        { "misspelled type", Model("""{"@type":"Telemtry","name":"t","schema":"double"}"""), "$.contents[0]['@type']", "Unknown content type 'Telemtry'" },
        { "DTMI without version", """{"@context":"dtmi:dtdl:context;2","@id":"dtmi:com:example:Broken","@type":"Interface"}""", "$['@id']", "not a valid DTDL v2 DTMI" },
        { "DTMI with a bad segment", """{"@context":"dtmi:dtdl:context;2","@id":"dtmi:com:example_:Broken;1","@type":"Interface"}""", "$['@id']", "not a valid DTDL v2 DTMI" },
        { "reserved prefix", """{"@context":"dtmi:dtdl:context;2","@id":"dtmi:dtdl:mine;1","@type":"Interface"}""", "$['@id']", "reserved prefix" },
        { "duplicate names", Model("""{"@type":"Telemetry","name":"t","schema":"double"},{"@type":"Property","name":"t","schema":"string"}"""), "$.contents[1]", "'t' is already used" },
        { "invalid name", Model("""{"@type":"Telemetry","name":"1t","schema":"double"}"""), "$.contents[0].name", "not a valid name" },
        { "name too long for v2", Model($$"""{"@type":"Telemetry","name":"{{new string('n', 65)}}","schema":"double"}"""), "$.contents[0].name", "at most 64" },
        { "unknown schema", Model("""{"@type":"Telemetry","name":"t","schema":"int"}"""), "$.contents[0].schema", "Unknown schema 'int'" },
        { "dangling extends", """{"@context":"dtmi:dtdl:context;2","@id":"dtmi:com:example:Broken;1","@type":"Interface","extends":"dtmi:com:example:Missing;1"}""", "$.extends", "not part of the model" },
        { "dangling component", Model("""{"@type":"Component","name":"c","schema":"dtmi:com:example:Missing;1"}"""), "$.contents[0].schema", "not part of the model" },
        { "dangling schema reference", Model("""{"@type":"Property","name":"p","schema":"dtmi:com:example:Nowhere;1"}"""), "$.contents[0].schema", "not defined in this Interface's schemas" },
        { "EdgeModule target that is not an Interface", Model("""{"@type":["Relationship","EdgeModule"],"name":"m","target":[1]}"""), "$.contents[0].target[0]", "EdgeModule target must be an Interface" },
        { "inline target without EdgeModule", Model("""{"@type":"Relationship","name":"r","target":[{"@id":"dtmi:com:example:Module;1","@type":"Interface"}]}"""), "$.contents[0].target", "target must be an Interface DTMI" },
        { "unit of another semantic type", Model("""{"@type":["Telemetry","Temperature"],"name":"t","schema":"double","unit":"pascal"}"""), "$.contents[0].unit", "not a unit of 'Temperature'" },
        { "v3 semantic type without unit", Model("""{"@type":["Telemetry","Temperature"],"name":"t","schema":"double"}""", "[\"dtmi:dtdl:context;3\",\"dtmi:dtdl:extension:quantitativeTypes;1\"]"), "$.contents[0]", "needs a 'unit'" },
        { "semantic type on a string", Model("""{"@type":["Telemetry","Temperature"],"name":"t","schema":"string","unit":"kelvin"}"""), "$.contents[0].schema", "numeric schema" },
        { "unit without semantic type", Model("""{"@type":"Telemetry","name":"t","schema":"double","unit":"kelvin"}"""), "$.contents[0].unit", "only with a semantic type" },
        { "unit type as a co-type", Model("""{"@type":["Property","TemperatureUnit"],"name":"p","schema":"double"}"""), "$.contents[0]['@type']", "not a semantic type" },
        { "Array in a v2 property", Model("""{"@type":"Property","name":"p","schema":{"@type":"Array","elementSchema":"string"}}"""), "$.contents[0].schema", "cannot have an Array schema" },
        { "geospatial in a v2 property", Model("""{"@type":"Property","name":"p","schema":"point"}"""), "$.contents[0].schema", "geospatial" },
        { "enum value of the wrong type", Model("""{"@type":"Property","name":"p","schema":{"@type":"Enum","valueSchema":"integer","enumValues":[{"name":"a","enumValue":"x"}]}}"""), "$.contents[0].schema.enumValues[0].enumValue", "must be an integer" },
        { "enum value schema", Model("""{"@type":"Property","name":"p","schema":{"@type":"Enum","valueSchema":"double","enumValues":[{"name":"a","enumValue":1}]}}"""), "$.contents[0].schema.valueSchema", "\"integer\" or \"string\"" },
        { "map key not a string", Model("""{"@type":"Property","name":"p","schema":{"@type":"Map","mapKey":{"name":"k","schema":"integer"},"mapValue":{"name":"v","schema":"string"}}}"""), "$.contents[0].schema.mapKey.schema", "must be \"string\"" },
        { "empty object in v2", Model("""{"@type":"Property","name":"p","schema":{"@type":"Object","fields":[]}}"""), "$.contents[0].schema.fields", "1 to 30 fields" },
        { "schema nested too deep", Model("""{"@type":"Telemetry","name":"t","schema":{"@type":"Array","elementSchema":{"@type":"Array","elementSchema":{"@type":"Array","elementSchema":{"@type":"Array","elementSchema":{"@type":"Array","elementSchema":{"@type":"Array","elementSchema":"string"}}}}}}}"""), "$.contents[0].schema.elementSchema.elementSchema.elementSchema.elementSchema.elementSchema", "at most 5 deep" },
        { "CommandRequest in v2", Model("""{"@type":"Command","name":"c","request":{"@type":"CommandRequest","name":"r","schema":"string"}}"""), "$.contents[0].request['@type']", "'CommandRequest' is DTDL v3" },
        { "CommandPayload in v3", Model("""{"@type":"Command","name":"c","request":{"@type":"CommandPayload","name":"r","schema":"string"}}""", V3), "$.contents[0].request['@type']", "CommandPayload is DTDL v2" },
        { "v2 semantic type in v3 without the extension", Model("""{"@type":["Telemetry","Temperature"],"name":"t","schema":"double","unit":"kelvin"}""", V3), "$.contents[0]['@type']", "QuantitativeTypes extension" },
        { "undefined co-type in v3", Model("""{"@type":["Telemetry","Whatever"],"name":"t","schema":"double"}""", V3), "$.contents[0]['@type']", "not a semantic type" },
        { "IoT Central context in v3", Model("", "[\"dtmi:dtdl:context;3\",\"dtmi:iotcentral:context;2\"]"), "$['@context'][1]", "belongs to DTDL v2" },
        { "IoT Central schema without its context", Model("""{"@type":"Telemetry","name":"t","schema":"vector"}"""), "$.contents[0].schema", "needs IoT Central's context" },
        { "extension before the DTDL context", Model("", "[\"dtmi:dtdl:extension:quantitativeTypes;1\",\"dtmi:dtdl:context;3\"]"), "$['@context'][0]", "must come before" },
        { "unknown context", Model("", "[\"dtmi:dtdl:context;2\",\"dtmi:example:context;1\"]"), "$['@context'][1]", "Unknown or unsupported context" },
        { "no context", """{"@id":"dtmi:com:example:Broken;1","@type":"Interface"}""", "$", "needs an @context" },
        { "three extends in v2", """{"@context":"dtmi:dtdl:context;2","@id":"dtmi:com:example:Broken;1","@type":"Interface","extends":["dtmi:com:example:A;1","dtmi:com:example:B;1","dtmi:com:example:C;1"]}""", "$.extends", "at most 2 extends" },
        { "display name too long for v2", Model("", extra: $$""","displayName":"{{new string('d', 65)}}" """), "$.displayName", "longer than 64" },
        { "bad language code", Model("", extra: ""","displayName":{"english":"x"}"""), "$.displayName.english", "not a language code" },
        { "writable not boolean", Model("""{"@type":"Property","name":"p","schema":"double","writable":"yes"}"""), "$.contents[0].writable", "true or false" },
        { "minMultiplicity not zero", Model("""{"@type":"Relationship","name":"r","minMultiplicity":1}"""), "$.contents[0].minMultiplicity", "must be 0" },
        { "a top level that is not an Interface", """{"@context":"dtmi:dtdl:context;2","@id":"dtmi:com:example:Broken;1","@type":"Telemetry"}""", "$", "@type \"Interface\"" },
        { "not JSON", "{\"@context\": ", "$", "not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(Corpus))]
    public void A_broken_model_is_refused_with_where_and_why(string problem, string model, string path, string message)
    {
        var result = DtdlParser.Parse(model);
        Assert.False(result.IsValid, $"{problem}: the model was accepted");
        Assert.Empty(result.Interfaces);
        Assert.True(result.Errors.Any(e => e.Path == path && e.Message.Contains(message, StringComparison.Ordinal)),
            $"{problem}: expected '{message}' at {path}, got:\n{string.Join('\n', result.Errors)}");
    }

    /// <summary>
    /// DTDL v2 makes <c>unit</c> optional with a semantic type, and IoT Central accepts its own example's Humidity
    /// telemetry without one (IoT Central REST API 2022-07-31, DeviceTemplates_Create example).
    /// </summary>
    [Fact]
    public void A_v2_semantic_type_without_unit_is_accepted_and_a_wrong_unit_still_refused()
    {
        var result = DtdlParser.Parse(Model("""{"@type":["Telemetry","Humidity"],"name":"humidity","displayName":"Humidity","schema":"double"}"""));
        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        Assert.Null(result.Interfaces["dtmi:com:example:Broken;1"].Telemetry.Single().Unit);

        var wrong = DtdlParser.Parse(Model("""{"@type":["Telemetry","Humidity"],"name":"humidity","schema":"double","unit":"kelvin"}"""));
        Assert.Contains(wrong.Errors, e => e.Path == "$.contents[0].unit" && e.Message.Contains("not a unit of 'Humidity'", StringComparison.Ordinal));
    }

    /// <summary>
    /// A model as IoT Central reads it back, with its annotations (extended Interfaces co-typed <c>NamedInterface</c> with
    /// a <c>name</c>, payloads typed <c>CommandPayload</c>), imports unchanged (IoT Central REST API 2022-07-31,
    /// DeviceTemplates_Get example).
    /// </summary>
    [Fact]
    public void A_model_read_back_from_iot_central_with_its_annotations_is_valid()
    {
        const string capabilityModel = """
            {"@id":"dtmi:contoso:testCapabilityModel;1","@type":"Interface","contents":[{"@id":"dtmi:contoso:testCapabilityModel:settings;1","@type":"Component","displayName":"Settings","name":"settings","schema":{"@id":"dtmi:contoso:settings;1","@type":"Interface","contents":[{"@type":"Telemetry","displayName":"Test Component Telemetry","name":"testComponentTelemetry","schema":"double"},{"@type":["Property","Initialized"],"displayName":"Temperature Threshold","name":"threshold","schema":"double","writable":true,"initialValue":"100"}],"displayName":"Settings"}},{"@type":["Telemetry","Humidity"],"displayName":"Humidity","name":"humidity","schema":"double"},{"@type":["Property","Cloud"],"displayName":"Online Status","name":"status","schema":{"@type":"Enum","enumValues":[{"displayName":"Offline","enumValue":1,"name":"offline"},{"displayName":"Online","enumValue":2,"name":"online"}],"valueSchema":"integer"}}],"displayName":"Test Capability Model","extends":[{"@id":"dtmi:contoso:testInterface;1","@type":["Interface","NamedInterface"],"contents":[{"@type":"Telemetry","displayName":"Test Telemetry","name":"testTelemetry","schema":"double"},{"@type":["EventValue","Telemetry","Event"],"displayName":"Test Event","name":"testEvent","schema":"integer","severity":"warning"},{"@type":["Initialized","Property"],"displayName":"Test Property","name":"testProperty","schema":"string","writable":true,"initialValue":"initialValue1"},{"@type":"Property","displayName":"Test Read-Only Property","name":"testReadOnly","schema":"string"},{"@type":"Property","displayName":"Test Complex Property","name":"testComplex","schema":{"@id":"dtmi:contoso:testComplex;1","@type":"Object","displayName":"Object","fields":[{"displayName":"First","name":"first","schema":"string"},{"displayName":"Second","name":"second","schema":"string"}]},"writable":true},{"@type":"Command","commandType":"synchronous","displayName":"Test Command","name":"testCommand","request":{"@type":"CommandPayload","displayName":"Test Request","name":"testRequest","schema":"double"},"response":{"@type":"CommandPayload","displayName":"Test Response","name":"testResponse","schema":"geopoint"}},{"@type":"Property","displayName":"Test Enum","name":"testEnum","schema":{"@id":"dtmi:contoso:testEnum;1","@type":"Enum","displayName":"Enum","enumValues":[{"displayName":"First","enumValue":1,"name":"first"},{"displayName":"Second","enumValue":2,"name":"second"}],"valueSchema":"integer"},"writable":true}],"displayName":"Test Interface","name":"contoso_testInterface"}]}
            """;
        var model = System.Text.Json.Nodes.JsonNode.Parse(capabilityModel)!.AsObject();
        model["@context"] = new System.Text.Json.Nodes.JsonArray("dtmi:iotcentral:context;2", "dtmi:dtdl:context;2");
        var result = DtdlParser.Parse(model.ToJsonString());
        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        Assert.Contains(result.Interfaces["dtmi:contoso:testCapabilityModel;1"].Telemetry, t => t.Name == "humidity" && t.Unit is null);
    }

    [Fact]
    public void Cyclic_extends_across_documents_are_refused()
    {
        var a = """{"@context":"dtmi:dtdl:context;2","@id":"dtmi:com:example:A;1","@type":"Interface","extends":"dtmi:com:example:B;1"}""";
        var b = """{"@context":"dtmi:dtdl:context;2","@id":"dtmi:com:example:B;1","@type":"Interface","extends":"dtmi:com:example:A;1"}""";
        var result = DtdlParser.Parse(a, b);
        Assert.Contains(result.Errors, e => e.Path == "$[0].extends" && e.Message.Contains("cycle", StringComparison.Ordinal));
    }

    [Fact]
    public void Inherited_names_collide_with_own_names()
    {
        var parent = """{"@context":"dtmi:dtdl:context;2","@id":"dtmi:com:example:Parent;1","@type":"Interface","contents":[{"@type":"Telemetry","name":"t","schema":"double"}]}""";
        var child = """{"@context":"dtmi:dtdl:context;2","@id":"dtmi:com:example:Child;1","@type":"Interface","extends":"dtmi:com:example:Parent;1","contents":[{"@type":"Property","name":"t","schema":"double"}]}""";
        var result = DtdlParser.Parse(parent, child);
        Assert.Contains(result.Errors, e => e.Message.Contains("'t' is already used", StringComparison.Ordinal));
    }

    [Fact]
    public void A_component_cannot_hold_components()
    {
        var inner = """{"@context":"dtmi:dtdl:context;2","@id":"dtmi:com:example:Inner;1","@type":"Interface","contents":[{"@type":"Component","name":"deeper","schema":"dtmi:com:example:Leaf;1"}]}""";
        var leaf = """{"@context":"dtmi:dtdl:context;2","@id":"dtmi:com:example:Leaf;1","@type":"Interface"}""";
        var outer = """{"@context":"dtmi:dtdl:context;2","@id":"dtmi:com:example:Outer;1","@type":"Interface","contents":[{"@type":"Component","name":"inner","schema":"dtmi:com:example:Inner;1"}]}""";
        var result = DtdlParser.Parse(outer, inner, leaf);
        Assert.Contains(result.Errors, e => e.Path == "$[0].contents[0].schema" && e.Message.Contains("cannot hold Components", StringComparison.Ordinal));
    }

    [Fact]
    public void More_than_300_contents_exceed_the_v2_limit()
    {
        var contents = string.Join(',', Enumerable.Range(0, 301).Select(i => $$"""{"@type":"Telemetry","name":"t{{i}}","schema":"double"}"""));
        var result = DtdlParser.Parse(Model(contents));
        Assert.Contains(result.Errors, e => e.Path == "$.contents" && e.Message.Contains("at most 300", StringComparison.Ordinal));
        Assert.True(DtdlParser.Parse(Model(contents, V3)).IsValid, "DTDL v3 has no per-Interface contents limit");
    }

    [Fact]
    public void Valid_v3_models_with_extensions_parse()
    {
        var model = Model(
            """{"@type":["Telemetry","Temperature","Historized"],"name":"t","schema":"double","unit":"degreeCelsius"},{"@type":"Property","name":"tags","schema":{"@type":"Array","elementSchema":"string"},"writable":true},{"@type":"Command","name":"c","request":{"@type":"CommandRequest","name":"r","schema":"string"},"response":{"name":"s","schema":"integer"}}""",
            "[\"dtmi:dtdl:context;3\",\"dtmi:dtdl:extension:quantitativeTypes;1\",\"dtmi:dtdl:extension:historization;1\"]");
        var result = DtdlParser.Parse(model);
        Assert.True(result.IsValid, string.Join('\n', result.Errors));
        Assert.Equal(3, result.Interfaces.Single().Value.DtdlVersion);
    }
}
