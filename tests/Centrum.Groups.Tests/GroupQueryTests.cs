using Centrum.Groups.Filtering;
using Centrum.Listing;
using Centrum.Testing;

namespace Centrum.Groups.Tests;

/// <summary>The device-group query: what it reads, what it refuses (naming the construct), and its limits under fuzzing.</summary>
public sealed class GroupQueryTests
{
    /// <summary>The filters of IoT Central's published DeviceGroups examples (2022-07-31 and 2022-10-31-preview), and the device-scoped forms of the same API.</summary>
    public static TheoryData<string> Published => new()
    {
        "SELECT * FROM devices WHERE $template = \"dtmi:modelDefinition:dtdlv2\" AND $provisioned = true",
        "SELECT * FROM devices WHERE $template = \"dtmi:modelDefinition:model1\"",
        "SELECT * FROM devices WHERE $template = \"dtmi:modelDefinition:model2\" AND $simulated = true",
        "SELECT * FROM devices WHERE $displayName != \"abc\" AND $id = \"a\"",
        "SELECT * FROM devices WHERE $id == \"a\"",
        "SELECT * FROM devices WHERE CONTAINS($displayName, \"a\")",
    };

    [Theory]
    [MemberData(nameof(Published))]
    public void The_published_filters_are_pushed_down_whole(string filter)
    {
        var plan = GroupFilterPlan.Compile(filter);

        Assert.NotNull(plan.Pushed);
        Assert.Null(plan.Residual);
    }

    [Fact]
    public void A_filter_reads_as_written_with_precedence_parentheses_and_every_literal()
    {
        var parsed = DeviceGroupQuery.Parse("select * from DEVICES where ($template = \"t;1\" or fan.speed >= -1.5e2) and mode != \"a \\\"b\\\"\" AND $enabled <> false");

        var and = Assert.IsType<GroupLogical>(parsed);
        Assert.True(and.And);
        var inner = Assert.IsType<GroupLogical>(Assert.IsType<GroupLogical>(and.Left).Left);
        Assert.False(inner.And);
        var speed = Assert.IsType<GroupComparison>(inner.Right);
        Assert.Equal(new GroupField("speed", "fan"), speed.Field);
        Assert.Equal(GroupOperator.GreaterOrEqual, speed.Operator);
        Assert.Equal(-150, speed.Value.Number);
        var mode = Assert.IsType<GroupComparison>(Assert.IsType<GroupLogical>(and.Left).Right);
        Assert.Equal("a \"b\"", mode.Value.Text);
        var enabled = Assert.IsType<GroupComparison>(and.Right);
        Assert.Equal(GroupOperator.NotEqual, enabled.Operator);
        Assert.False(enabled.Value.Boolean);
    }

    [Fact]
    public void A_query_without_where_is_every_device() => Assert.Equal(new GroupFilterPlan(null, null), GroupFilterPlan.Compile("SELECT * FROM devices"));

    [Fact]
    public void System_conjuncts_are_pushed_down_and_property_conditions_kept_for_the_twin()
    {
        var plan = GroupFilterPlan.Compile("SELECT * FROM devices WHERE $template = \"t;1\" AND temperature > 20 AND $provisioned = true");

        var pushed = Assert.IsType<ListLogical>(plan.Pushed);
        Assert.Equal(new ListComparison("template", ListOperator.Equal, new ListLiteral("t;1", null)), pushed.Left);
        Assert.Equal(new ListComparison("provisioned", ListOperator.Equal, new ListLiteral(null, true)), pushed.Right);
        Assert.Equal(new GroupComparison(new GroupField("temperature", null), GroupOperator.GreaterThan, new GroupValue(null, 20, null)), plan.Residual);
    }

    [Fact]
    public void An_or_mixing_system_and_property_conditions_is_checked_whole_against_the_twin()
    {
        var plan = GroupFilterPlan.Compile("SELECT * FROM devices WHERE $simulated = true OR site = \"north\"");

        Assert.Null(plan.Pushed);
        Assert.IsType<GroupLogical>(plan.Residual);
    }

    [Theory]
    [InlineData("SELECT * FROM devices WHERE NOT $simulated = true", "'NOT' at position 28 is not supported")]
    [InlineData("SELECT * FROM devices WHERE $id IN (\"a\")", "'IN' at position 32 is not supported")]
    [InlineData("SELECT * FROM devices WHERE $displayName LIKE \"a%\"", "'LIKE' at position 41 is not supported")]
    [InlineData("SELECT * FROM devices WHERE $id = 'a'", "single-quoted")]
    [InlineData("SELECT $id FROM devices", "Expected 'SELECT *'")]
    [InlineData("SELECT * FROM dtmi:x WHERE $id = \"a\"", "Unexpected character ':' at position 18")]
    [InlineData("SELECT * FROM devices WHERE $approved = true", "'$approved' is not a system property")]
    [InlineData("SELECT * FROM devices WHERE $provisioned > true", "$provisioned is true or false")]
    [InlineData("SELECT * FROM devices WHERE $template = 3", "$template is text")]
    [InlineData("SELECT * FROM devices WHERE CONTAINS($simulated, \"a\")", "CONTAINS applies to text")]
    [InlineData("SELECT * FROM devices WHERE online < true", "compared with a boolean")]
    [InlineData("SELECT * FROM devices WHERE $id = \"a\" ORDER BY $id", "'ORDER' at position 38 is not supported")]
    [InlineData("SELECT * FROM devices WHERE $id = \"a", "not closed")]
    [InlineData("SELECT * FROM devices WHERE $id = \"a\" AND", "ends where a condition was expected")]
    [InlineData("SELECT * FROM devices WHERE $id ! \"a\"", "'!' at position 32 is not an operator")]
    [InlineData("SELECT * FROM devices WHERE a.b.c = 1", "'.' at position 31 is not an operator")]
    [InlineData("SELECT * FROM twins WHERE $id = \"a\"", "FROM devices, not 'twins'")]
    public void A_construct_outside_the_dialect_is_refused_by_name(string filter, string message)
    {
        var error = Assert.Throws<GroupQueryException>(() => GroupFilterPlan.Compile(filter));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Limits_on_length_conditions_and_depth_are_refused()
    {
        var many = "SELECT * FROM devices WHERE " + string.Join(" OR ", Enumerable.Range(0, DeviceGroupQuery.MaxConditions + 1).Select(i => $"$id = \"{i}\""));
        Assert.Contains($"more than {DeviceGroupQuery.MaxConditions} conditions", Assert.Throws<GroupQueryException>(() => DeviceGroupQuery.Parse(many)).Message, StringComparison.Ordinal);

        var deep = "SELECT * FROM devices WHERE " + new string('(', DeviceGroupQuery.MaxDepth + 1) + "$id = \"a\"" + new string(')', DeviceGroupQuery.MaxDepth + 1);
        Assert.Contains("deeper than", Assert.Throws<GroupQueryException>(() => DeviceGroupQuery.Parse(deep)).Message, StringComparison.Ordinal);

        var nested = "SELECT * FROM devices WHERE " + new string('(', DeviceGroupQuery.MaxDepth) + "$id = \"a\"" + new string(')', DeviceGroupQuery.MaxDepth);
        Assert.NotNull(DeviceGroupQuery.Parse(nested));

        var longText = "SELECT * FROM devices WHERE $id = \"" + new string('a', DeviceGroupQuery.MaxLength) + "\"";
        Assert.Contains("longer than", Assert.Throws<GroupQueryException>(() => DeviceGroupQuery.Parse(longText)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fuzzed_filters_end_in_a_plan_or_the_parser_own_refusal()
    {
        string[] seeds =
        [
            "SELECT * FROM devices WHERE $template = \"dtmi:modelDefinition:dtdlv2\" AND $provisioned = true",
            "SELECT * FROM devices WHERE ($simulated = true OR fan.speed >= 10) AND CONTAINS($displayName, \"a\\\"b\")",
            "SELECT * FROM devices WHERE site != \"north\" OR temperature < -2.5e1",
        ];
        string[] tokens = ["(", ")", " AND ", " OR ", " NOT ", "$id", "$template", "fan.speed", " = ", " != ", " <= ", "\"", "\\", "'", ",", ".", "CONTAINS(", "true", "1e999", "-", "*", "SELECT", " WHERE "];
        Fuzz.Run<GroupQueryException>(20_000, seed: 1328, random => Fuzz.Mutate(random, Fuzz.Pick(random, seeds), tokens, seeds), text => GroupFilterPlan.Compile(text));
    }
}
