using Centrum.Export.Filters;

namespace Centrum.Export.Tests.Filters;

/// <summary>What a parsed filter exposes for validation: its sources, scope, predicate count and fields.</summary>
public sealed class ExportFilterParseTests
{
    [Fact]
    public void Template_scoped_filter_lists_its_templates_and_aliases()
    {
        const string text = "SELECT * FROM dtmi:a:b;1 AS A, dtmi:c:d;2 AS B WHERE A.temperature > targetTemperature";
        var filter = ExportFilter.Parse(text);

        Assert.False(filter.DeviceScoped);
        Assert.Equal([new FilterSource("dtmi:a:b;1", "A"), new FilterSource("dtmi:c:d;2", "B")], filter.Sources);
        Assert.Equal(1, filter.ConditionCount);
        Assert.Equal(
            [
                new FilterField("A", "temperature", text.IndexOf("A.temp", StringComparison.Ordinal) + 1, "A.temperature"),
                new FilterField(null, "targetTemperature", text.IndexOf("targetTemp", StringComparison.Ordinal) + 1, "targetTemperature"),
            ],
            filter.Fields);
    }

    [Fact]
    public void Device_scoped_filter_has_no_sources()
    {
        var filter = ExportFilter.Parse("SELECT * FROM devices WHERE $displayName != \"abc\" AND $id = \"a\"");

        Assert.True(filter.DeviceScoped);
        Assert.Empty(filter.Sources);
        Assert.Equal(2, filter.ConditionCount);
        Assert.Equal(["$displayName", "$id"], filter.Fields.Select(f => f.Name));
        Assert.All(filter.Fields, f => Assert.Null(f.Qualifier));
    }

    [Fact]
    public void Filter_without_WHERE_has_no_conditions_or_fields()
    {
        var filter = ExportFilter.Parse("SELECT * FROM dtmi:contoso:Thermostat;1");

        Assert.Equal([new FilterSource("dtmi:contoso:Thermostat;1", null)], filter.Sources);
        Assert.Equal(0, filter.ConditionCount);
        Assert.Empty(filter.Fields);
    }

    [Fact]
    public void Template_ids_need_not_be_DTMIs()
    {
        var filter = ExportFilter.Parse("SELECT * FROM thermostat-v2.1 AS T, 6f0b0c5d-2bc7-4c3b-9b1e-3f3a3c1d2e4f,urn:x:y;3");

        Assert.Equal(["thermostat-v2.1", "6f0b0c5d-2bc7-4c3b-9b1e-3f3a3c1d2e4f", "urn:x:y;3"], filter.Sources.Select(s => s.TemplateId));
        Assert.Equal(["T", null, null], filter.Sources.Select(s => s.Alias));
    }

    [Fact]
    public void Every_predicate_counts_as_a_condition()
    {
        var filter = ExportFilter.Parse(
            "SELECT * FROM devices WHERE a = 1 AND (b IN [1, 2] OR CONTAINS(c, 'x')) AND NOT STARTS_WITH(d, 'y') OR 1 = 1");

        Assert.Equal(5, filter.ConditionCount);
        Assert.Equal(["a", "b", "c", "d"], filter.Fields.Select(f => f.Text));
    }

    [Fact]
    public void Fields_are_reported_per_occurrence_with_their_qualifier_and_position()
    {
        const string text = "SELECT * FROM dtmi:a:b;1 AS A WHERE A.thermostat1.temperature > 1 OR thermostat1.temperature < $x AND temperature = temperature";
        var filter = ExportFilter.Parse(text);

        Assert.Equal(
            [
                new FilterField("A.thermostat1", "temperature", text.IndexOf("A.thermo", StringComparison.Ordinal) + 1, "A.thermostat1.temperature"),
                new FilterField("thermostat1", "temperature", text.IndexOf(" thermostat1", StringComparison.Ordinal) + 2, "thermostat1.temperature"),
                new FilterField(null, "$x", text.IndexOf("$x", StringComparison.Ordinal) + 1, "$x"),
                new FilterField(null, "temperature", text.IndexOf(" temperature =", StringComparison.Ordinal) + 2, "temperature"),
                new FilterField(null, "temperature", text.LastIndexOf("temperature", StringComparison.Ordinal) + 1, "temperature"),
            ],
            filter.Fields);
    }

    [Fact]
    public void Keywords_and_function_names_are_case_insensitive()
    {
        var filter = ExportFilter.Parse(
            "select * from dtmi:a:b;1 as A where A.x = TRUE and not b = False or c in (Null) and contains(d, 'x') and Starts_With(e, 'y')");

        Assert.Equal("A", filter.Sources[0].Alias);
        Assert.Equal(5, filter.ConditionCount);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-0")]
    [InlineData("42")]
    [InlineData("-17")]
    [InlineData("3.25")]
    [InlineData("-0.5")]
    [InlineData("1e3")]
    [InlineData("1E-2")]
    [InlineData("-2.5E+1")]
    [InlineData("'text'")]
    [InlineData("\"text\"")]
    [InlineData("''")]
    [InlineData("'it''s'")]
    [InlineData("true")]
    [InlineData("FALSE")]
    [InlineData("null")]
    public void Literals_of_every_form_parse(string literal)
    {
        var filter = ExportFilter.Parse($"SELECT * FROM devices WHERE x = {literal} OR {literal} = x OR x IN [{literal}, {literal}]");

        Assert.Equal(3, filter.ConditionCount);
    }

    [Fact]
    public void Nesting_up_to_the_limit_is_accepted()
    {
        var depth = ExportFilter.MaxDepth;
        var parenthesized = ExportFilter.Parse($"SELECT * FROM devices WHERE {new string('(', depth)}$id = 'a'{new string(')', depth)}");
        var negated = ExportFilter.Parse($"SELECT * FROM devices WHERE {string.Concat(Enumerable.Repeat("NOT ", depth))}$id = 'a'");

        Assert.Equal(1, parenthesized.ConditionCount);
        Assert.Equal(1, negated.ConditionCount);
    }

    [Fact]
    public void A_long_flat_chain_within_the_length_limit_parses_and_evaluates()
    {
        var conditions = string.Join(" OR ", Enumerable.Repeat("$id = 'x'", 250)) + " OR $id = 'sensor-07'";
        var filter = ExportFilter.Parse($"SELECT * FROM devices WHERE {conditions}");

        Assert.Equal(251, filter.ConditionCount);
        Assert.True(filter.Matches(FilterSamples.Get("sensor connectivity")));
        Assert.False(filter.Matches(FilterSamples.Get("thermostat lifecycle")));
    }
}
