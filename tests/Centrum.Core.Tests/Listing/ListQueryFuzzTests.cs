using System.Text;
using Centrum.Listing;
using Centrum.Testing;

namespace Centrum.Core.Tests.Listing;

/// <summary>
/// The list options parser and compiler over 100,000 generated filters and 20,000 orderby values: half from the
/// grammar (nesting and width past the limits on purpose), half mutated from the documented examples. Each compiles, or
/// fails with a <see cref="ListQueryException"/>.
/// </summary>
public sealed class ListQueryFuzzTests
{
    private const int Inputs = 100_000;

    private sealed record Item(string Id, string? DisplayName, bool Enabled, string Organizations);

    private static readonly Dictionary<string, ListField<Item>> Fields = new(StringComparer.OrdinalIgnoreCase)
    {
        ["id"] = ListField.Text<Item>(i => i.Id),
        ["displayName"] = ListField.Text<Item>(i => i.DisplayName, orderable: true),
        ["enabled"] = ListField.Boolean<Item>(i => i.Enabled),
        ["scopes"] = ListField.JsonIdSet<Item>(i => i.Organizations),
    };

    private static readonly string[] Valid =
    [
        "id eq 'device1' and scopes eq 'redmond'",
        "Enabled ne true",
        "id le '26whl7mure6'",
        "id eq 'device1' or enabled eq false",
        "contains(displayName, 'thermostat')",
        "(id eq 'a' or displayName gt 'it''s') and not_a_field eq 'x'",
        "'@id' eq 'dtmi:example:test;1' and displayName ge 'template'",
    ];

    private static readonly string[] Tokens =
    [
        "(", ")", ",", "'", "''", " ", " and ", " or ", " eq ", " ne ", " lt ", " le ", " gt ", " ge ", "contains(", "true", "false",
        "id", "displayName", "enabled", "scopes", "'x'", "@id", "$x", "5", "-", ";", "\u0000", "é",
    ];

    private static readonly string[] Fieldnames = ["id", "displayName", "enabled", "scopes", "template", "'@id'", "Enabled"];

    [Fact]
    public void Generated_and_mutated_filters_only_ever_fail_with_list_query_errors()
    {
        var compiler = new ListQueryCompiler<Item>(Fields);
        var item = new Item("d", null, true, "[]");
        Fuzz.Run<ListQueryException>(Inputs, seed: 20, random => random.Next(2) == 0 ? Generate(random, random.Next(10) == 0 ? 40 : 4) : Fuzz.Mutate(random, Fuzz.Pick(random, Valid), Tokens, Valid), text =>
        {
            var predicate = compiler.Filter(ListQueryParser.ParseFilter(text)).Compile();
            predicate(item);
        });
    }

    [Fact]
    public void Mutated_orderby_values_only_ever_fail_with_list_query_errors()
    {
        var compiler = new ListQueryCompiler<Item>(Fields);
        Fuzz.Run<ListQueryException>(Inputs / 5, seed: 21, random => Fuzz.Mutate(random, Fuzz.Pick(random, ["displayName", "displayName desc", "displayName asc"]), Tokens, ["id desc"]), text =>
            compiler.OrderColumn(ListQueryParser.ParseOrderBy(text)));
    }

    private static string Generate(Random random, int depth)
    {
        var text = new StringBuilder();
        Condition(text, random, depth);
        return text.ToString();
    }

    private static void Condition(StringBuilder text, Random random, int depth)
    {
        switch (depth <= 0 ? random.Next(2) : random.Next(4))
        {
            case 0:
                text.Append(Fuzz.Pick(random, Fieldnames)).Append(' ').Append(Fuzz.Pick(random, ["eq", "ne", "lt", "le", "gt", "ge"])).Append(' ')
                    .Append(random.Next(3) == 0 ? Fuzz.Pick(random, ["true", "false"]) : $"'{Fuzz.RandomChar(random)}x'");
                break;
            case 1:
                text.Append("contains(").Append(Fuzz.Pick(random, Fieldnames)).Append(", 'th''e')");
                break;
            case 2:
                text.Append('(');
                Condition(text, random, depth - 1);
                text.Append(')');
                break;
            default:
                Condition(text, random, depth - 1);
                text.Append(random.Next(2) == 0 ? " and " : " or ");
                Condition(text, random, depth - 1);
                break;
        }
    }
}
