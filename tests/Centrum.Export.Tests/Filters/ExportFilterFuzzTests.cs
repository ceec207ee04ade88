using System.Text;
using Centrum.Export.Filters;

namespace Centrum.Export.Tests.Filters;

/// <summary>
/// The export filter parser over 100,000 generated filters: half from its grammar (nesting past the limits on
/// purpose), half mutated from valid filters. Each parses and matches the sample messages, or fails with an
/// <see cref="ExportFilterException"/>.
/// </summary>
public sealed class ExportFilterFuzzTests
{
    private const int Inputs = 100_000;

    private static readonly string[] Valid =
    [
        "SELECT * FROM devices WHERE $displayName != \"abc\" AND $id = \"a\"",
        "SELECT * FROM dtmi:contoso:Thermostat;1",
        "SELECT * FROM thermostat-v2.1 AS T, 6f0b0c5d-2bc7-4c3b-9b1e-3f3a3c1d2e4f,urn:x:y;3",
        "SELECT * FROM devices WHERE $displayName = 'O''Brien''s \"lab\"'",
        "SELECT * FROM dtmi:x:y;1 AS X WHERE X.t = 1",
        "SELECT * FROM t-1 WHERE count = 7 AND ratio < 0.3 AND big > 4e9 AND label = 'x'",
        "SELECT * FROM dtmi:contoso:Thermostat;1 AS T WHERE NOT (temperature > 20 OR thermostat1.temperature <= -4.5) AND status IN ['heating', 'idle']",
        "SELECT * FROM devices WHERE CONTAINS($displayName, 'lobby') OR STARTS_WITH(serialNumber, \"TH-\") OR location.lat >= 47 OR errorCode = null",
        "SELECT * FROM devices WHERE fanOn = true AND acceleration.z > 9 AND $organizations IN ('plant-a', 'plant-b')",
    ];

    private static readonly string[] Tokens =
    [
        "(", ")", "[", "]", ",", "*", "=", "==", "!=", "<>", "<", ">", "<=", ">=", "'", "\"", "''", " ", " AND ", " OR ", " NOT ", " IN ", "SELECT ",
        " FROM ", " WHERE ", " AS ", "CONTAINS(", "STARTS_WITH(", "$id", "$template", "$", "devices", "dtmi:a:b;1", ".", "-", "1e308", "1e999", "0x1",
        "null", "true", "temperature", "thermostat1.temperature", "a.b.c.d",
    ];

    [Fact]
    public void Generated_and_mutated_filters_only_ever_fail_with_filter_errors()
    {
        var samples = FilterSamples.Names.Select(FilterSamples.Get).ToList();
        Fuzz.Run<ExportFilterException>(Inputs, seed: 17, random => random.Next(2) == 0 ? Generate(random) : Fuzz.Mutate(random, Fuzz.Pick(random, Valid), Tokens, Valid), text =>
        {
            var filter = ExportFilter.Parse(text);
            foreach (var sample in samples)
            {
                filter.Matches(sample);
            }
        });
    }

    private static string Generate(Random random)
    {
        var text = new StringBuilder("SELECT * FROM ");
        text.Append(random.Next(3) == 0 ? "devices" : string.Join(", ", Enumerable.Range(0, random.Next(1, 3)).Select(i => Fuzz.Pick(random, [FilterSamples.Thermostat, FilterSamples.Sensor, "t-1"]) + (random.Next(3) == 0 ? $" AS A{i}" : ""))));
        if (random.Next(4) != 0)
        {
            text.Append(" WHERE ").Append(Condition(random, random.Next(10) == 0 ? random.Next(1, 60) : random.Next(1, 5)));
        }

        return text.ToString();
    }

    private static string Condition(Random random, int depth)
    {
        if (depth <= 0 || random.Next(3) == 0)
        {
            return random.Next(4) switch
            {
                0 => $"{Fuzz.Pick(random, ["CONTAINS", "STARTS_WITH"])}({Operand(random)}, '{Fuzz.Pick(random, ["", "a", "TH-", "lobby"])}')",
                1 => $"{Operand(random)} IN {Fuzz.Pick(random, ["[", "("])}{string.Join(", ", Enumerable.Range(0, random.Next(1, 6)).Select(_ => Literal(random)))}{Fuzz.Pick(random, ["]", ")"])}",
                _ => $"{Operand(random)} {Fuzz.Pick(random, ["=", "==", "!=", "<>", "<", ">", "<=", ">="])} {Operand(random)}",
            };
        }

        return random.Next(4) switch
        {
            0 => $"({Condition(random, depth - 1)})",
            1 => $"NOT {Condition(random, depth - 1)}",
            2 => $"{Condition(random, depth - 1)} AND {Condition(random, 0)}",
            _ => $"{Condition(random, depth - 1)} OR {Condition(random, 0)}",
        };
    }

    private static string Operand(Random random) => random.Next(2) == 0 ? Literal(random)
        : Fuzz.Pick(random, ["$id", "$displayName", "$template", "$templateId", "$organizations", "temperature", "thermostat1.temperature", "location.lat", "A0.t", "serialNumber", "firmware.version", "x.y.z"]);

    private static string Literal(Random random) => Fuzz.Pick(random, ["0", "-4.5", "1e308", "1e999", "'a'", "\"heating\"", "''", "true", "false", "null", "99999999999999999999999"]);
}
