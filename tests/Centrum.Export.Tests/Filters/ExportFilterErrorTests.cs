using Centrum.Export.Filters;

namespace Centrum.Export.Tests.Filters;

/// <summary>
/// Every refusal names what was expected, the 1-based position and the token found. In each case '‸' marks the expected
/// position and is removed before parsing; a null token means the filter ended where more was expected.
/// </summary>
public sealed class ExportFilterErrorTests
{
    private const char Caret = '‸';

    public static TheoryData<string, string, string?> Cases() => new()
    {
        // Statement shape.
        { "‸", "Expected SELECT", null },
        { "   ‸", "Expected SELECT", null },
        { "‸DELETE * FROM devices", "Expected SELECT", "DELETE" },
        { "SELECT ‸temperature FROM dtmi:a:b;1", "Only SELECT * is supported in export filters", "temperature" },
        { "SELECT ‸$id, $displayName FROM devices", "Only SELECT * is supported in export filters", "$id" },
        { "SELECT *‸, temperature FROM devices", "Only SELECT * is supported in export filters", "," },
        { "SELECT ‸", "Only SELECT * is supported in export filters", null },
        { "SELECT * ‸WHERE $id = 'a'", "Expected FROM", "WHERE" },
        { "SELECT *‸", "Expected FROM", null },

        // FROM.
        { "SELECT * FROM‸", "Expected a device template id or devices after FROM", null },
        { "SELECT * FROM ‸(devices)", "Expected a device template id or devices after FROM", "(" },
        { "SELECT * FROM ‸'dtmi:a:b;1'", "Expected a device template id or devices after FROM", "'dtmi:a:b;1'" },
        { "SELECT * FROM dtmi:a:b;1,‸", "Expected a device template id after ','", null },
        { "SELECT * FROM dtmi:a:b;1, ‸dtmi:a:b;1", "Template 'dtmi:a:b;1' is listed twice", "dtmi:a:b;1" },
        { "SELECT * FROM dtmi:a:b;1 AS A, dtmi:c:d;2 AS ‸A", "Alias 'A' is used twice", "A" },
        { "SELECT * FROM dtmi:a:b;1 AS ‸WHERE x = 1", "Expected an alias after AS", "WHERE" },
        { "SELECT * FROM dtmi:a:b;1 AS ‸A.b", "Expected an alias after AS", "A.b" },
        { "SELECT * FROM dtmi:a:b;1 AS ‸$a", "Expected an alias after AS", "$a" },
        { "SELECT * FROM dtmi:a:b;1 AS‸", "Expected an alias after AS", null },
        { "SELECT * FROM devices‸, dtmi:a:b;1", "FROM devices cannot be combined with device templates", "," },
        { "SELECT * FROM dtmi:a:b;1, ‸devices", "FROM devices cannot be combined with device templates", "devices" },
        { "SELECT * FROM devices ‸AS d", "FROM devices takes no alias", "AS" },
        { "SELECT * FROM dtmi:a:b;1 ‸temperature > 1", "Expected AS, ',', WHERE or the end of the filter", "temperature" },
        { "SELECT * FROM devices ‸$id = 'a'", "Expected WHERE or the end of the filter", "$id" },
        { "SELECT * FROM dtmi:a:b;1‸#x", "Unexpected character '#'", "#" },

        // Conditions.
        { "SELECT * FROM devices WHERE‸", "Expected a condition", null },
        { "SELECT * FROM devices WHERE ‸AND $id = 'a'", "Expected a condition", "AND" },
        { "SELECT * FROM devices WHERE $id = 'a' AND‸", "Expected a condition", null },
        { "SELECT * FROM devices WHERE $id = 'a' OR ‸)", "Expected a condition", ")" },
        { "SELECT * FROM devices WHERE ‸", "Expected a condition", null },
        { "SELECT * FROM devices WHERE $id ‸'a'", "Expected a comparison operator (=, ==, !=, <>, <, >, <=, >=) or IN", "'a'" },
        { "SELECT * FROM devices WHERE $enabled‸", "Expected a comparison operator", null },
        { "SELECT * FROM devices WHERE $id =‸", "Expected a field or a value after '='", null },
        { "SELECT * FROM devices WHERE $id <> ‸OR", "Expected a field or a value after '<>'", "OR" },
        { "SELECT * FROM devices WHERE $id = 'a' ‸$x = 1", "Expected AND, OR or the end of the filter", "$x" },
        { "SELECT * FROM devices WHERE $id = 'a' ‸WHERE $x = 1", "Expected AND, OR or the end of the filter", "WHERE" },
        { "SELECT * FROM devices WHERE $id = 'a'‸)", "Unexpected ')' without a matching '('", ")" },
        { "SELECT * FROM devices WHERE (x = 1)‸)", "Unexpected ')' without a matching '('", ")" },

        // Strings, numbers and characters.
        { "SELECT * FROM devices WHERE $id = ‸'abc", "Unclosed string", "'abc" },
        { "SELECT * FROM devices WHERE $id = ‸\"abc''", "Unclosed string", "\"abc''" },
        { "SELECT * FROM devices WHERE $id = ‸'it''", "Unclosed string", "'it''" },
        { "SELECT * FROM devices WHERE $id ‸# 'a'", "Unexpected character '#'", "#" },
        { "SELECT * FROM devices WHERE $id ‸! 'a'", "Unexpected character '!'", "!" },
        { "SELECT * FROM devices WHERE temperature ‸- 1 > 0", "Unexpected character '-'", "-" },
        { "SELECT * FROM devices WHERE $id = 'a' ‸&& $id = 'b'", "Unexpected character '&'", "&" },
        { "SELECT * FROM devices WHERE temperature > ‸1.2.3", "Malformed number", "1.2.3" },
        { "SELECT * FROM devices WHERE temperature > ‸12abc", "Malformed number", "12abc" },
        { "SELECT * FROM devices WHERE temperature > ‸1.", "Malformed number", "1." },
        { "SELECT * FROM devices WHERE temperature > ‸1e", "Malformed number", "1e" },
        { "SELECT * FROM devices WHERE temperature > ‸1e999", "Number out of range", "1e999" },

        // Parentheses.
        { "SELECT * FROM devices WHERE ‸($id = 'a'", "Unclosed '(': expected ')' before the end of the filter", "(" },
        { "SELECT * FROM devices WHERE ‸(($id = 'a') OR $id = 'b'", "Unclosed '('", "(" },
        { "SELECT * FROM devices WHERE ($id = 'a' ‸$x = 1)", "Expected ')', AND or OR", "$x" },

        // IN.
        { "SELECT * FROM devices WHERE $id IN ‸'a'", "Expected a list of values after IN, in [ ] or ( )", "'a'" },
        { "SELECT * FROM devices WHERE $id IN‸", "Expected a list of values after IN", null },
        { "SELECT * FROM devices WHERE $id IN [‸]", "An IN list needs at least one value", "]" },
        { "SELECT * FROM devices WHERE $id IN (‸)", "An IN list needs at least one value", ")" },
        { "SELECT * FROM devices WHERE $id IN ‸['a', 'b'", "Unclosed '[': expected ']' before the end of the filter", "[" },
        { "SELECT * FROM devices WHERE $id IN ['a', 'b'‸)", "Expected ',' or ']' in the IN list", ")" },
        { "SELECT * FROM devices WHERE $id IN ('a' ‸'b')", "Expected ',' or ')' in the IN list", "'b'" },
        { "SELECT * FROM devices WHERE $id IN [‸$displayName]", "Expected a value in the IN list", "$displayName" },
        { "SELECT * FROM devices WHERE $id IN ['a', ‸]", "Expected a value in the IN list", "]" },

        // Functions.
        { "SELECT * FROM devices WHERE ‸LOWER($id) = 'a'", "Unknown function 'LOWER': export filters support CONTAINS and STARTS_WITH", "LOWER" },
        { "SELECT * FROM devices WHERE $id = ‸upper($x)", "Unknown function 'upper'", "upper" },
        { "SELECT * FROM devices WHERE $id = ‸contains($x, 'a')", "'contains(…)' is not a value", "contains" },
        { "SELECT * FROM devices WHERE CONTAINS($id, ‸5)", "CONTAINS takes a string literal ('text' or \"text\") as its second argument", "5" },
        { "SELECT * FROM devices WHERE STARTS_WITH($id, ‸$x)", "STARTS_WITH takes a string literal", "$x" },
        { "SELECT * FROM devices WHERE contains($id ‸'a')", "Expected ',' after CONTAINS's first argument", "'a'" },
        { "SELECT * FROM devices WHERE CONTAINS(‸)", "Expected a field or a value as CONTAINS's first argument", ")" },
        { "SELECT * FROM devices WHERE CONTAINS(‸", "Expected a field or a value as CONTAINS's first argument", null },
        { "SELECT * FROM devices WHERE CONTAINS‸($id", "Unclosed '('", "(" },
        { "SELECT * FROM devices WHERE CONTAINS‸($id, 'a'", "Unclosed '(': expected ')' before the end of the filter", "(" },
        { "SELECT * FROM devices WHERE STARTS_WITH($id, 'a'‸, 'b')", "Expected ')' after STARTS_WITH's two arguments", "," },

        // Fields.
        { "SELECT * FROM devices WHERE thermostat1.‸.temperature > 1", "Expected a name between the dots of a field", "thermostat1..temperature" },
        { "SELECT * FROM devices WHERE thermostat1.‸ > 1", "Expected a name between the dots of a field", "thermostat1." },
        { "SELECT * FROM dtmi:a:b;1 AS A WHERE A.‸$id = 'x'", "A device fact such as $id stands alone", "A.$id" },
        { "SELECT * FROM devices WHERE ‸$id.x = 'x'", "A device fact such as $id stands alone", "$id.x" },
        { "SELECT * FROM devices WHERE ‸$ = 'x'", "A field name is letters, digits and '_'", "$" },
        { "SELECT * FROM devices WHERE a.b‸$c = 'x'", "Expected a comparison operator", "$c" },
        { "SELECT * FROM devices WHERE a.‸1b = 'x'", "A field name is letters, digits and '_'", "a.1b" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Malformed_filter_is_refused_with_position_and_token(string marked, string fragment, string? token)
    {
        var position = marked.IndexOf(Caret, StringComparison.Ordinal) + 1;
        Assert.True(position > 0, "each case marks its expected position");
        var text = marked.Remove(position - 1, 1);

        var error = Assert.Throws<ExportFilterException>(() => ExportFilter.Parse(text));

        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        Assert.Equal(position, error.Position);
        Assert.Equal(token, error.Token);
        Assert.Contains($"at character {position}", error.Message, StringComparison.Ordinal);
        Assert.Contains(token is null ? "found the end of the filter" : $"found '{token}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parentheses_nested_past_the_limit_are_refused_at_the_first_level_too_deep()
    {
        var prefix = "SELECT * FROM devices WHERE ";
        var text = $"{prefix}{new string('(', ExportFilter.MaxDepth + 1)}$id = 'a'{new string(')', ExportFilter.MaxDepth + 1)}";

        var error = Assert.Throws<ExportFilterException>(() => ExportFilter.Parse(text));

        Assert.Equal(prefix.Length + ExportFilter.MaxDepth + 1, error.Position);
        Assert.Equal("(", error.Token);
        Assert.Contains("nest deeper than 32 levels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NOT_repeated_past_the_limit_is_refused()
    {
        var prefix = "SELECT * FROM devices WHERE ";
        var text = $"{prefix}{string.Concat(Enumerable.Repeat("not ", ExportFilter.MaxDepth + 1))}$id = 'a'";

        var error = Assert.Throws<ExportFilterException>(() => ExportFilter.Parse(text));

        Assert.Equal(prefix.Length + (4 * ExportFilter.MaxDepth) + 1, error.Position);
        Assert.Equal("not", error.Token);
        Assert.Contains("nest deeper than 32 levels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pathologically_deep_input_is_refused_without_exhausting_the_stack()
    {
        var parentheses = "SELECT * FROM devices WHERE " + new string('(', 4000);
        var negations = "SELECT * FROM devices WHERE " + string.Concat(Enumerable.Repeat("NOT ", 1000));

        Assert.Contains("nest deeper", Assert.Throws<ExportFilterException>(() => ExportFilter.Parse(parentheses)).Message, StringComparison.Ordinal);
        Assert.Contains("nest deeper", Assert.Throws<ExportFilterException>(() => ExportFilter.Parse(negations)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_longer_than_the_limit_is_refused_before_parsing()
    {
        var text = "SELECT * FROM devices WHERE $id = '" + new string('a', ExportFilter.MaxLength) + "'";

        var error = Assert.Throws<ExportFilterException>(() => ExportFilter.Parse(text));

        Assert.Equal(ExportFilter.MaxLength + 1, error.Position);
        Assert.Contains("A filter is at most 4096 characters long", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("aaaa", error.Token, StringComparison.Ordinal);
        Assert.True(error.Token!.Length < 40, "the token is an excerpt, not the rest of the text");
    }

    [Fact]
    public void Text_at_the_limit_is_accepted()
    {
        var prefix = "SELECT * FROM devices WHERE $id = '";
        var text = prefix + new string('a', ExportFilter.MaxLength - prefix.Length - 1) + "'";

        Assert.Equal(ExportFilter.MaxLength, text.Length);
        Assert.Equal(1, ExportFilter.Parse(text).ConditionCount);
    }

    [Fact]
    public void Null_text_is_refused_like_an_empty_filter()
    {
        var error = Assert.Throws<ExportFilterException>(() => ExportFilter.Parse(null!));

        Assert.Equal(1, error.Position);
        Assert.Null(error.Token);
    }

    [Fact]
    public void An_unclosed_string_quotes_an_excerpt_of_what_follows()
    {
        var error = Assert.Throws<ExportFilterException>(() => ExportFilter.Parse("SELECT * FROM devices WHERE $id = 'abc" + new string('x', 200)));

        Assert.StartsWith("'abcxxx", error.Token, StringComparison.Ordinal);
        Assert.EndsWith("…", error.Token, StringComparison.Ordinal);
        Assert.True(error.Token!.Length < 40, "the token is an excerpt, not the rest of the text");
    }

    [Fact]
    public void Parse_throws_only_its_own_exception_on_arbitrary_token_soup()
    {
        string[] pieces =
        [
            "SELECT", "*", "FROM", "devices", "dtmi:a:b;1", "AS", "A", "WHERE", "AND", "OR", "NOT", "IN", "(", ")", "[", "]",
            ",", "=", "==", "!=", "<>", "<", ">=", "'s'", "\"d\"", "'", "-1.5e3", "1.", "$id", "A.x", "a..b", "CONTAINS",
            "STARTS_WITH", "FOO", "true", "null", "#", "-", ".", "$", "\n", "thermostat-v2",
        ];
        var random = new Random(20240501);
        var subjects = FilterSamples.Names.Select(FilterSamples.Get).ToList();
        var parsed = 0;
        for (var i = 0; i < 5000; i++)
        {
            var text = (i % 2 == 0 ? "SELECT * FROM devices WHERE " : "") + string.Join(" ", Enumerable.Range(0, random.Next(1, 14)).Select(_ => pieces[random.Next(pieces.Length)]));
            ExportFilter filter;
            try
            {
                filter = ExportFilter.Parse(text);
            }
            catch (ExportFilterException error)
            {
                Assert.InRange(error.Position, 1, text.Length + 1);
                continue;
            }

            parsed++;
            foreach (var subject in subjects)
            {
                filter.Matches(subject);
            }
        }

        Assert.True(parsed > 0, "some generated filters are valid, so Matches is exercised too");
    }
}
