using System.Text.Json.Nodes;
using Centrum.Export.Jq;

namespace Centrum.Export.Tests;

/// <summary>
/// The jq parser and evaluator over 100,000 generated programs: half from the grammar, half mutated from the corpus of
/// valid programs in <see cref="JqTests"/>. Each compiles and runs on a generated message, or fails with a
/// <see cref="JqException"/>; whatever it yields can be written as JSON.
/// </summary>
public sealed class JqFuzzTests
{
    private const int Inputs = 100_000;

    private static readonly string[] Valid = JqTests.Corpus().Select(row => (string)row[0]).ToArray();

    private static readonly string[] Tokens =
    [
        ".", "..", "|", ",", "(", ")", "[", "]", "{", "}", ":", ";", "?", "//", "+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "and ", " or ",
        "not", "\"", "\\(", "\\u00", "\\", "$x", " as $x | ", "if ", " then ", " elif ", " else ", " end", "try ", " catch ", "reduce ", "range(", ".a",
        ".[0]", ".[]", ".[1:]", "1e308", "1e999", "-0", "null", "true", "length", "keys", "tostring", "tonumber", "tojson", "fromjson", "sort", "add",
        "map(", "select(", "to_entries", "from_entries", "with_entries(", "join(", "split(", "error(", "empty", "first", "unique", "min", "max", "floor",
    ];

    private static readonly string[] Builtins0 =
    [
        "length", "keys", "keys_unsorted", "not", "to_entries", "from_entries", "add", "ascii_downcase", "ascii_upcase", "tostring", "tonumber", "tojson",
        "fromjson", "type", "min", "max", "sort", "unique", "first", "last", "any", "all", "floor", "round", "values", "empty",
    ];

    private static readonly string[] Builtins1 = ["has", "map", "select", "with_entries", "join", "split", "ltrimstr", "rtrimstr", "startswith", "endswith", "sort_by", "range", "error"];

    [Fact]
    public void Generated_and_mutated_programs_only_ever_fail_with_jq_errors()
    {
        var inputs = new Random(5);
        Fuzz.Run<JqException>(Inputs, seed: 13, random => random.Next(2) == 0 ? Expression(random, random.Next(1, 7)) : Fuzz.Mutate(random, Fuzz.Pick(random, Valid), Tokens, Valid), text =>
        {
            var program = JqProgram.Compile(text);
            foreach (var output in program.Run(Value(inputs, 4)))
            {
                _ = output?.ToJsonString();
            }
        });
    }

    private static string Expression(Random random, int depth)
    {
        if (depth <= 0)
        {
            return random.Next(8) switch
            {
                0 => ".",
                1 => $".{Fuzz.Pick(random, ["a", "b", "t", "telemetry", "x"])}",
                2 => Fuzz.Pick(random, ["0", "1", "-3", "2.5", "1e308", "1e-300", "1000"]),
                3 => $"\"{Fuzz.Pick(random, ["", "a", "xyz", "\\n", "\\u00e9", "NaN", "Infinity", "{\\\"a\\\":1}", "[1,2]"])}\"",
                4 => Fuzz.Pick(random, ["null", "true", "false", "$x", "empty"]),
                5 => Fuzz.Pick(random, Builtins0),
                6 => $".[{random.Next(-3, 4)}]",
                _ => "..",
            };
        }

        string Sub() => Expression(random, depth - 1);
        return random.Next(18) switch
        {
            0 => $"{Sub()} | {Sub()}",
            1 => $"{Sub()}, {Sub()}",
            2 => $"({Sub()}) {Fuzz.Pick(random, ["+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "and", "or", "//"])} ({Sub()})",
            3 => $"[{Sub()}]",
            4 => $"{{a: {Sub()}, (\"k\" + \"{random.Next(9)}\"): {Sub()}, b}}",
            5 => $"if {Sub()} then {Sub()} elif {Sub()} then {Sub()} else {Sub()} end",
            6 => $"try ({Sub()}) catch {Sub()}",
            7 => $"reduce ({Sub()}) as $x ({Sub()}; {Sub()})",
            8 => $"{Sub()} as $x | {Sub()}",
            9 => $"{Fuzz.Pick(random, Builtins1)}({Sub()})",
            10 => $"\"s\\({Sub()})t\"",
            11 => $"({Sub()})[{Sub()}]",
            12 => $"({Sub()})[{Sub()}:{Sub()}]",
            13 => $"({Sub()})[]?",
            14 => $"-({Sub()})",
            // Long ranges spend a run's whole budget (about 0.5 s): rare enough to keep the test near ten seconds.
            15 => $"range({(random.Next(100) == 0 ? Fuzz.Pick(random, ["1e9", "100000", "100001"]) : Fuzz.Pick(random, ["0", "5", "-1", "1000"]))})",
            16 => $"({Sub()})?",
            _ => $"{Sub()} | {Fuzz.Pick(random, Builtins0)}",
        };
    }

    /// <summary>A message-like JSON value: objects with the fields the programs name, arrays, strings and numbers at the edges.</summary>
    private static JsonNode? Value(Random random, int depth) => (depth <= 0 ? random.Next(5) : random.Next(8)) switch
    {
        0 => null,
        1 => JsonValue.Create(Fuzz.Pick(random, [0d, 1d, -1.5, 1e308, -1e308, 5e-324, 42d])),
        2 => JsonValue.Create(Fuzz.Pick(random, ["", "a", "héllo", "1e5", "{\"a\":[1]}", new string('x', 300)])),
        3 => JsonValue.Create(random.Next(2) == 0),
        4 => JsonNode.Parse(Fuzz.Pick(random, ["1e400", "-1e400", "123456789012345678901234567890", "0.1"])),
        5 or 6 => new JsonObject(Enumerable.Range(0, random.Next(5)).Select(i => KeyValuePair.Create(Fuzz.Pick(random, ["a", "b", "t", "telemetry", "x", "key", "value"]) + (i > 0 ? i.ToString(System.Globalization.CultureInfo.InvariantCulture) : ""), Value(random, depth - 1)))),
        _ => new JsonArray(Enumerable.Range(0, random.Next(6)).Select(_ => Value(random, depth - 1)).ToArray()),
    };
}
