using Centrum.Templates.Dtdl;
using Centrum.Web.Pages.Templates;

namespace Centrum.IntegrationTests.Web;

/// <summary>How the template pages show a DTMI's version and a schema, and link a template whose id holds ':' and ';'.</summary>
public sealed class TemplateLinksTests
{
    [Theory]
    [InlineData("dtmi:contoso:Thermostat;1", "1")]
    [InlineData("dtmi:contoso:Thermostat;12", "12")]
    [InlineData("dtmi:contoso:Thermostat", null)]
    [InlineData("dtmi:contoso:Thermostat;", null)]
    [InlineData("dtmi:contoso:Thermostat;1.2", null)]
    public void A_version_is_what_a_dtmi_carries_after_its_semicolon(string dtmi, string? version) =>
        Assert.Equal(version, TemplateLinks.Version(dtmi));

    [Fact]
    public void A_template_page_link_escapes_the_dtmi() =>
        Assert.Equal("templates/dtmi%3Acontoso%3AThermostat%3B1", TemplateLinks.Page("dtmi:contoso:Thermostat;1"));

    [Fact]
    public void Schemas_are_described_with_their_fields_values_and_elements()
    {
        var parsed = DtdlParser.Parse("""
            {"@context":"dtmi:dtdl:context;2","@id":"dtmi:contoso:S;1","@type":"Interface","contents":[
              {"@type":"Telemetry","name":"report","schema":{"@type":"Object","fields":[{"name":"max","schema":"double"},{"name":"mode","schema":{"@type":"Enum","valueSchema":"string","enumValues":[{"name":"on","enumValue":"on"}]}}]}},
              {"@type":"Telemetry","name":"tags","schema":{"@type":"Map","mapKey":{"name":"k","schema":"string"},"mapValue":{"name":"v","schema":{"@type":"Array","elementSchema":"long"}}}}
            ]}
            """);
        Assert.True(parsed.IsValid, string.Join("\n", parsed.Errors));
        var model = parsed.Interfaces["dtmi:contoso:S;1"];

        Assert.Equal("""Object { max: double, mode: Enum of string (on = "on") }""", TemplateLinks.Describe(model.Telemetry.Single(t => t.Name == "report").Schema));
        Assert.Equal("Map<k: string, v: Array of long>", TemplateLinks.Describe(model.Telemetry.Single(t => t.Name == "tags").Schema));
    }
}
