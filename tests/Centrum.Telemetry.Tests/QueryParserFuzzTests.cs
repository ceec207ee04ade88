using System.Text;
using Centrum.Telemetry.Query;
using Centrum.Testing;

namespace Centrum.Telemetry.Tests;

/// <summary>
/// The query parser and compiler over 100,000 generated queries: half from the grammar (nesting past the limits on
/// purpose), half mutated from valid queries. Each parses, or fails with a <see cref="QueryException"/>.
/// </summary>
public sealed class QueryParserFuzzTests
{
    private const int Inputs = 100_000;
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly string[] Valid =
    [
        "SELECT $id, $ts, temperature, mode FROM dtmi:example:T;1 WHERE WITHIN_WINDOW(PT10M) AND $id = 'd2' ORDER BY $ts DESC",
        "SELECT AVG(power), MAX(power), COUNT(power) FROM dtmi:com:example:Meter;1 WHERE WITHIN_WINDOW(PT1H)",
        "SELECT $id, power FROM dtmi:com:example:Meter;1 WHERE $id = 'meter-1' ORDER BY power DESC",
        "SELECT TOP 10 temperature AS t, humidity FROM dtmi:example:T;1 WHERE (temperature > 20 OR humidity <= 3.5e1) AND mode IN ['eco', 'on']",
        "SELECT AVG(temperature), MIN(thermostat1.temperature) FROM dtmi:example:T;1 WHERE WITHIN_WINDOW('2026-03-01T09:00:00Z/2026-03-01T12:00:00Z') GROUP BY WINDOW(PT15M) ORDER BY $ts ASC",
        "SELECT FIRST(mode), LAST(mode), SUM(pressure) FROM dtmi:example:T;1 WHERE WITHIN_WINDOW(P1W) GROUP BY WINDOW(P1D)",
        "SELECT $ts, pressure FROM dtmi:example:T;1 WHERE $ts > '2026-03-01T10:00:00Z' AND ok = true AND mode != 'off' AND mode <> 'x'",
    ];

    private static readonly string[] Tokens =
    [
        "(", ")", "[", "]", ",", "*", "=", "!=", "<>", "<", ">", "<=", ">=", "'", "''", " ", "AND ", " OR ", " IN ", "SELECT ", " FROM ",
        " WHERE ", " GROUP BY ", " ORDER BY ", " WINDOW(", " WITHIN_WINDOW(", "TOP ", " AS ", "AVG(", "COUNT(", "$id", "$ts", "$x", "dtmi:a:b;1",
        "PT1H", "P99999999999W", "P1Y", "PT0S", "-", "1e308", "1e400", "-0", "9999999999", "temperature", "c.t", "a.b.c", "'2026-01-01T00:00:00Z/2026-01-02T00:00:00Z'",
    ];

    [Fact]
    public void Generated_and_mutated_queries_only_ever_fail_with_query_errors()
    {
        var options = new QueryOptions();
        Fuzz.Run<QueryException>(Inputs, seed: 11, random => random.Next(2) == 0 ? Generate(random) : Fuzz.Mutate(random, Fuzz.Pick(random, Valid), Tokens, Valid), text =>
        {
            var query = QueryParser.Parse(text);
            new QueryService.Compiler(query, Now, options).Compile();
        });
    }

    [Fact]
    public void The_valid_examples_parse_and_compile()
    {
        foreach (var text in Valid)
        {
            new QueryService.Compiler(QueryParser.Parse(text), Now, new QueryOptions()).Compile();
        }
    }

    private static string Generate(Random random)
    {
        var text = new StringBuilder("SELECT ");
        if (random.Next(4) == 0)
        {
            text.Append("TOP ").Append(Number(random)).Append(' ');
        }

        var items = random.Next(1, random.Next(10) == 0 ? 20 : 5);
        for (var i = 0; i < items; i++)
        {
            text.Append(i > 0 ? ", " : "");
            var field = Field(random);
            text.Append(random.Next(3) == 0 ? $"{Fuzz.Pick(random, ["AVG", "MIN", "MAX", "SUM", "COUNT", "FIRST", "LAST"])}({field})" : field);
            if (random.Next(6) == 0)
            {
                text.Append(" AS a").Append(i);
            }
        }

        text.Append(" FROM ").Append(random.Next(10) == 0 ? "devices" : "dtmi:example:T;1");
        if (random.Next(3) != 0)
        {
            text.Append(" WHERE ").Append(Condition(random, random.Next(10) == 0 ? random.Next(1, 80) : random.Next(1, 5)));
        }

        if (random.Next(4) == 0)
        {
            text.Append(" GROUP BY WINDOW(").Append(Duration(random)).Append(')');
        }

        if (random.Next(4) == 0)
        {
            text.Append(" ORDER BY ").Append(Field(random)).Append(Fuzz.Pick(random, ["", " ASC", " DESC"]));
        }

        return text.ToString();
    }

    private static string Condition(Random random, int depth)
    {
        if (depth <= 0 || random.Next(3) == 0)
        {
            return random.Next(6) switch
            {
                0 => $"WITHIN_WINDOW({Duration(random)})",
                1 => $"WITHIN_WINDOW('{Time(random)}/{Time(random)}')",
                2 => $"{Field(random)} IN [{string.Join(", ", Enumerable.Range(0, random.Next(1, random.Next(20) == 0 ? 400 : 5)).Select(_ => Literal(random)))}]",
                _ => $"{Field(random)} {Fuzz.Pick(random, ["=", "!=", "<>", "<", ">", "<=", ">="])} {Literal(random)}",
            };
        }

        return random.Next(3) switch
        {
            0 => $"({Condition(random, depth - 1)})",
            1 => $"{Condition(random, depth - 1)} AND {Condition(random, depth - 1)}",
            _ => $"{Condition(random, depth - 1)} OR {Condition(random, 0)}",
        };
    }

    private static string Field(Random random) => Fuzz.Pick(random, ["$id", "$ts", "temperature", "mode", "thermostat1.temperature", "pressure", "$other", "a.b.c"]);

    private static string Literal(Random random) => random.Next(5) switch
    {
        0 => Number(random),
        1 => $"'{Time(random)}'",
        2 => Fuzz.Pick(random, ["true", "false", "null"]),
        _ => $"'{new string(Fuzz.RandomChar(random), random.Next(5))}'".Replace("''", "'x", StringComparison.Ordinal),
    };

    private static string Number(Random random) => Fuzz.Pick(random, ["0", "1", "-5", "3.25", "1e308", "1e999", "99999999999999999999", "-0.0", "12e-400"]);

    private static string Duration(Random random) =>
        Fuzz.Pick(random, ["PT1M", "PT1H", "P1D", "P7D", "P1W", "P52W", "P400D", "P99999999D", "P9999999999999W", "PT0S", "P1Y", "PT-1H", "P1M", "xyz"]);

    private static string Time(Random random) =>
        Fuzz.Pick(random, ["2026-03-01T10:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2026-02-30", "yesterday", "2026-03-01T11:00:00+14:00"]);
}
