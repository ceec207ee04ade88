using System.Text.Json.Nodes;
using Centrum.Outcomes;
using Centrum.Testing;

namespace Centrum.Templates.Tests;

/// <summary>
/// Reading an imported template's text: a model, an array of models or IoT Central's template document; malformed JSON
/// is refused with the line and position (1-based) where it broke; the size and depth limits hold; generated text
/// only ever yields a document or a refusal.
/// </summary>
public sealed class TemplateImportTests
{
    private const string Model = """{"@id":"dtmi:contoso:Pump;2","@type":"Interface","contents":[{"@type":"Telemetry","name":"flow","schema":"double"}]}""";

    [Fact]
    public void A_model_suggests_its_own_id_and_is_kept_as_written()
    {
        var read = TemplateImport.Read(Model);

        Assert.True(read.Succeeded);
        Assert.Equal("dtmi:contoso:Pump;2", read.Value.TemplateId);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Model), read.Value.CapabilityModel));
        Assert.Equal(["ModelDefinition", "DeviceModel"], read.Value.Types.Select(t => (string)t!));
    }

    [Fact]
    public void An_array_of_models_suggests_the_first_ones_id()
    {
        var read = TemplateImport.Read($$"""[{{Model}},{"@id":"dtmi:contoso:Other;1","@type":"Interface","contents":[]}]""");

        Assert.True(read.Succeeded);
        Assert.Equal("dtmi:contoso:Pump;2", read.Value.TemplateId);
        Assert.IsType<JsonArray>(read.Value.CapabilityModel);
    }

    [Fact]
    public void A_device_template_document_gives_its_id_name_and_model()
    {
        var read = TemplateImport.Read($$"""{"@id":"dtmi:contoso:PumpTemplate;1","@type":["ModelDefinition","DeviceModel"],"displayName":"Pump","etag":"x","capabilityModel":{{Model}}}""");

        Assert.True(read.Succeeded);
        Assert.Equal("dtmi:contoso:PumpTemplate;1", read.Value.TemplateId);
        Assert.Equal("Pump", read.Value.DisplayName);
        Assert.Equal("dtmi:contoso:Pump;2", (string)read.Value.CapabilityModel["@id"]!);
    }

    [Fact]
    public void A_device_template_document_with_an_unknown_field_is_refused_as_rest_refuses_it()
    {
        var read = TemplateImport.Read($$"""{"capabilityModel":{{Model}},"colour":"red"}""");

        Assert.False(read.Succeeded);
        Assert.Equal(ProblemKind.Invalid, read.Problem.Kind);
        Assert.Contains("'colour'", read.Problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\n  \"@id\": \"dtmi:a:b;1\",\n  \"@type\" \"Interface\"\n}", 3, 11)]
    [InlineData("{\"a\":1,}", 1, 8)]
    [InlineData("[1,\n2,\n3", 3, 2)]
    public void Malformed_json_is_refused_with_its_line_and_position(string text, int line, int position)
    {
        var read = TemplateImport.Read(text);

        Assert.False(read.Succeeded);
        Assert.Equal(ProblemKind.Invalid, read.Problem.Kind);
        var where = $"line {line}, position {position}";
        Assert.Equal(where, Assert.Single(read.Problem.Details).Path);
        Assert.Contains(where, read.Problem.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", read.Problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_given_twice_is_malformed()
    {
        var read = TemplateImport.Read("""{"@id":"dtmi:a:b;1","@id":"dtmi:a:c;1"}""");

        Assert.False(read.Succeeded);
        Assert.Equal(ProblemKind.Invalid, read.Problem.Kind);
    }

    [Fact]
    public void A_document_larger_than_rest_accepts_is_refused_as_too_large()
    {
        var text = $$"""{"@id":"dtmi:a:b;1","@type":"Interface","description":"{{new string('x', TemplateImport.MaxBytes)}}"}""";

        Assert.Equal(ProblemKind.TooLarge, TemplateImport.Read(text).Problem!.Kind);
        Assert.Equal(ProblemKind.TooLarge, TemplateImport.Read(System.Text.Encoding.UTF8.GetBytes(text)).Problem!.Kind);
    }

    [Fact]
    public void Nesting_deeper_than_rest_accepts_is_refused()
    {
        var depth = TemplateImport.MaxDepth + 1;
        var read = TemplateImport.Read(new string('[', depth) + new string(']', depth));

        Assert.False(read.Succeeded);
        Assert.Equal(ProblemKind.Invalid, read.Problem.Kind);
    }

    [Theory]
    [InlineData("42")]
    [InlineData("\"text\"")]
    [InlineData("null")]
    [InlineData("""{"capabilityModel":"dtmi:a:b;1"}""")]
    [InlineData("""{"capabilityModel":{},"@type":7}""")]
    public void What_is_not_a_model_or_a_template_is_refused(string text)
    {
        var read = TemplateImport.Read(text);

        Assert.False(read.Succeeded);
        Assert.Equal(ProblemKind.Invalid, read.Problem.Kind);
    }

    [Fact]
    public void Generated_text_only_ever_yields_a_document_or_a_refusal()
    {
        string[] samples = [Model, $$"""{"@id":"dtmi:t:t;1","displayName":"T","capabilityModel":[{{Model}}]}""", "[]", "{}"];
        string[] tokens = ["{", "}", "[", "]", ",", ":", "\"", "\\", "\\u0000", "\"capabilityModel\":", "\"@id\":", "\"@type\":", "null", "1e999", "[[[["];
        Fuzz.Run<NeverThrown>(20_000, seed: 7, random => Fuzz.Mutate(random, Fuzz.Pick(random, samples), tokens, samples), text =>
        {
            var read = TemplateImport.Read(text);
            Assert.True(read.Succeeded || read.Problem.Kind is ProblemKind.Invalid or ProblemKind.TooLarge);
        });
    }

    private sealed class NeverThrown : Exception;
}
