using Centrum.Listing;

namespace Centrum.Core.Tests.Listing;

/// <summary>
/// The list options grammar (IoT Central REST API 2022-10-31-preview, "Use ODATA filters") and its compilation to a
/// predicate, evaluated here over objects: the documented examples, precedence, quoting, and each refusal naming its
/// parameter.
/// </summary>
public sealed class ListQueryParserTests
{
    private sealed record Item(string Id, string? DisplayName, bool Enabled, string Organizations);

    private static readonly Dictionary<string, ListField<Item>> Fields = new(StringComparer.OrdinalIgnoreCase)
    {
        ["id"] = ListField.Text<Item>(i => i.Id),
        ["@id"] = ListField.Text<Item>(i => i.Id),
        ["displayName"] = ListField.Text<Item>(i => i.DisplayName, orderable: true),
        ["enabled"] = ListField.Boolean<Item>(i => i.Enabled),
        ["scopes"] = ListField.JsonIdSet<Item>(i => i.Organizations),
    };

    private static readonly Item[] Items =
    [
        new("device1", "Room Thermostat", true, """["redmond"]"""),
        new("device2", "thermostat2", false, "[]"),
        new("device3", null, true, """["seattle","redmond"]"""),
        new("device4", "Pump", true, """["seattle"]"""),
    ];

    [Theory]
    [InlineData("id eq 'device1' and scopes eq 'redmond'", "device1")]
    [InlineData("Enabled ne true", "device2")]
    [InlineData("id le 'device2'", "device1,device2")]
    [InlineData("id lt 'device2'", "device1")]
    [InlineData("id ge 'device3'", "device3,device4")]
    [InlineData("id gt 'device3'", "device4")]
    [InlineData("id eq 'device1' and enabled eq true", "device1")]
    [InlineData("id eq 'device1' or enabled eq false", "device1,device2")]
    [InlineData("contains(displayName, 'thermostat')", "device1,device2")]
    [InlineData("CONTAINS(displayName,'THERMO')", "device1,device2")]
    [InlineData("'@id' eq 'device4'", "device4")]
    [InlineData("scopes ne 'redmond'", "device2,device4")]
    [InlineData("displayName ne 'Pump'", "device1,device2,device3")]
    [InlineData("id eq 'device1' or id eq 'device2' and enabled eq true", "device1")]
    [InlineData("(id eq 'device1' or id eq 'device2') and enabled eq false", "device2")]
    [InlineData("  ( ( enabled eq true ) )  ", "device1,device3,device4")]
    public void Documented_filters_select_the_matching_items(string filter, string expected)
    {
        var predicate = new ListQueryCompiler<Item>(Fields).Filter(ListQueryParser.ParseFilter(filter)).Compile();
        Assert.Equal(expected, string.Join(',', Items.Where(predicate).Select(i => i.Id)));
    }

    [Fact]
    public void Quotes_are_doubled_inside_strings()
    {
        var condition = Assert.IsType<ListComparison>(ListQueryParser.ParseFilter("displayName eq 'it''s'"));
        Assert.Equal("it's", condition.Value.Text);
    }

    [Theory]
    [InlineData("displayName", false)]
    [InlineData("displayName desc", true)]
    [InlineData("displayName  ASC", false)]
    public void Orderby_takes_one_field_and_a_direction(string text, bool descending)
    {
        var order = ListQueryParser.ParseOrderBy(text);
        Assert.Equal("displayName", order.Field);
        Assert.Equal(descending, order.Descending);
    }

    [Theory]
    [InlineData("filter", "displayName eq")]
    [InlineData("filter", "displayName eq 'open")]
    [InlineData("filter", "displayName is 'x'")]
    [InlineData("filter", "displayName eq 5")]
    [InlineData("filter", "color eq 'red'")]
    [InlineData("filter", "enabled eq 'yes'")]
    [InlineData("filter", "enabled lt true")]
    [InlineData("filter", "scopes gt 'a'")]
    [InlineData("filter", "contains(enabled, 'x')")]
    [InlineData("filter", "contains(displayName, true)")]
    [InlineData("filter", "id eq 'a' and")]
    [InlineData("filter", "id eq 'a' id eq 'b'")]
    [InlineData("filter", "(id eq 'a'")]
    [InlineData("filter", "id eq 'a')")]
    [InlineData("filter", "id eq 'a'; drop")]
    [InlineData("orderby", "displayName,id")]
    [InlineData("orderby", "displayName up")]
    [InlineData("orderby", "id")]
    [InlineData("orderby", "")]
    public void Malformed_or_unknown_options_are_refused_naming_the_parameter(string parameter, string text)
    {
        var compiler = new ListQueryCompiler<Item>(Fields);
        var error = Assert.Throws<ListQueryException>(() =>
        {
            if (parameter == "filter")
            {
                compiler.Filter(ListQueryParser.ParseFilter(text));
            }
            else
            {
                compiler.OrderColumn(ListQueryParser.ParseOrderBy(text));
            }
        });
        Assert.Equal(parameter, error.Parameter);
    }

    [Fact]
    public void Limits_refuse_long_deep_and_wide_filters()
    {
        Assert.Equal("filter", Assert.Throws<ListQueryException>(() => ListQueryParser.ParseFilter("id eq '" + new string('a', ListQueryParser.MaxFilterLength) + "'")).Parameter);
        var deep = new string('(', ListQueryParser.MaxDepth + 1) + "id eq 'a'" + new string(')', ListQueryParser.MaxDepth + 1);
        Assert.Contains("deeper", Assert.Throws<ListQueryException>(() => ListQueryParser.ParseFilter(deep)).Message, StringComparison.Ordinal);
        var atDepth = new string('(', ListQueryParser.MaxDepth) + "id eq 'a'" + new string(')', ListQueryParser.MaxDepth);
        Assert.IsType<ListComparison>(ListQueryParser.ParseFilter(atDepth));
        var wide = string.Join(" or ", Enumerable.Repeat("id eq 'a'", ListQueryParser.MaxConditions + 1));
        Assert.Contains("conditions", Assert.Throws<ListQueryException>(() => ListQueryParser.ParseFilter(wide)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Expand_is_checked_against_the_pattern_and_the_offered_entities()
    {
        Assert.Null(ListQueryParser.ParseExpand("", []));
        Assert.Equal("template", ListQueryParser.ParseExpand("Template", ["template"]));
        Assert.Equal("expand", Assert.Throws<ListQueryException>(() => ListQueryParser.ParseExpand("deviceTemplate", [])).Parameter);
        Assert.Equal("expand", Assert.Throws<ListQueryException>(() => ListQueryParser.ParseExpand("a b", ["a b"])).Parameter);
        Assert.Equal("expand", Assert.Throws<ListQueryException>(() => ListQueryParser.ParseExpand(new string('a', 256), [new string('a', 256)])).Parameter);
    }
}
