using System.Text.Json.Nodes;
using Centrum.Templates.Dtdl;
using Centrum.Testing;

namespace Centrum.Templates.Tests;

/// <summary>
/// The DTDL parser over 100,000 generated models: half mutated as text from valid and broken models, half mutated as
/// JSON trees (members replaced, removed, added from DTDL's vocabulary, values nested deep). Each parses to a model
/// or to errors with paths, and never throws.
/// </summary>
public sealed class DtdlParserFuzzTests
{
    private const int Inputs = 100_000;

    private static readonly string[] Valid =
    [
        """
        {"@context":["dtmi:dtdl:context;2","dtmi:iotcentral:context;2"],"@id":"dtmi:com:example:Everything;1","@type":"Interface","displayName":{"en":"Everything"},
         "contents":[
          {"@type":["Telemetry","Temperature"],"name":"temperature","schema":"double","unit":"degreeCelsius"},
          {"@type":"Telemetry","name":"mode","schema":{"@type":"Enum","valueSchema":"string","enumValues":[{"name":"on","enumValue":"on"},{"name":"off","enumValue":"off"}]}},
          {"@type":"Telemetry","name":"reading","schema":{"@type":"Object","fields":[{"name":"value","schema":"double"},{"name":"at","schema":"dateTime"}]}},
          {"@type":"Telemetry","name":"labels","schema":{"@type":"Map","mapKey":{"name":"k","schema":"string"},"mapValue":{"name":"v","schema":"string"}}},
          {"@type":["Telemetry","Location"],"name":"position","schema":"geopoint"},
          {"@type":"Telemetry","name":"history","schema":{"@type":"Array","elementSchema":"long"}},
          {"@type":"Property","name":"target","schema":"double","writable":true},
          {"@type":"Command","name":"reboot","request":{"name":"delay","schema":"duration"},"response":{"name":"ok","schema":"boolean"}},
          {"@type":"Component","name":"thermostat1","schema":"dtmi:com:example:Thermostat;1"},
          {"@type":"Relationship","name":"parent","target":"dtmi:com:example:Thermostat;1","maxMultiplicity":1}
         ]}
        """,
        """
        {"@context":"dtmi:dtdl:context;3","@id":"dtmi:com:example:Thermostat;1","@type":"Interface","extends":"dtmi:com:example:Base;1",
         "schemas":[{"@id":"dtmi:com:example:Point;1","@type":"Object","fields":[{"name":"x","schema":"double"},{"name":"y","schema":"double"}]}],
         "contents":[
          {"@type":"Telemetry","name":"point","schema":"dtmi:com:example:Point;1"},
          {"@type":"Property","name":"tags","schema":{"@type":"Array","elementSchema":"string"},"writable":true},
          {"@type":"Command","name":"set","request":{"@type":"CommandRequest","name":"value","schema":"integer"},"response":{"@type":"CommandResponse","name":"r","schema":"string"}}
         ]}
        """,
        """
        [{"@context":"dtmi:dtdl:context;2","@id":"dtmi:com:example:Base;1","@type":"Interface","contents":[{"@type":"Property","name":"serial","schema":"string"}]},
         {"@context":"dtmi:dtdl:context;2","@id":"dtmi:com:example:Child;1","@type":"Interface","extends":["dtmi:com:example:Base;1"],"comment":"x","description":"d",
          "contents":[{"@type":["Telemetry","Pressure"],"name":"p","schema":"float","unit":"pascal"}]}]
        """,
    ];

    private static readonly string[] Samples = Valid.Concat(BrokenModelsTests.Corpus().Select(row => (string)row[1])).ToArray();

    private static readonly string[] Tokens =
    [
        "{", "}", "[", "]", ",", ":", "\"", "\\", "\\u0000", "null", "true", "1e999", "-0", "\"@type\":", "\"@id\":", "\"@context\":", "\"schema\":",
        "\"contents\":", "\"extends\":", "\"name\":", "\"Interface\"", "\"Object\"", "\"Array\"", "\"Map\"", "\"Enum\"", "\"dtmi:a:b;1\"", "\"dtmi:dtdl:context;2\"",
        "{\"@type\":\"Array\",\"elementSchema\":", "[[[[", "{\"a\":", "\"name\":\"n\",\"name\":\"m\",",
    ];

    private static readonly string[] Members =
    [
        "@context", "@id", "@type", "contents", "extends", "schemas", "schema", "name", "displayName", "description", "comment", "unit", "writable",
        "request", "response", "fields", "mapKey", "mapValue", "elementSchema", "enumValues", "enumValue", "valueSchema", "target", "maxMultiplicity",
        "minMultiplicity", "properties", "commandType", "durable", "x",
    ];

    private static readonly string[] Words =
    [
        "Interface", "Telemetry", "Property", "Command", "Component", "Relationship", "Object", "Array", "Map", "Enum", "CommandRequest", "Temperature",
        "double", "string", "integer", "dtmi:com:example:Thermostat;1", "dtmi:com:example:Base;1", "dtmi:dtdl:context;2", "dtmi:dtdl:context;3",
        "dtmi:a", "degreeCelsius", "", "n", "1n", new string('n', 600),
    ];

    [Fact]
    public void Generated_and_mutated_models_only_ever_yield_a_model_or_errors()
    {
        var trees = Samples.Select(s => TryParse(s)).OfType<JsonNode>().ToArray();
        Fuzz.Run<NeverThrown>(Inputs, seed: 19, random => random.Next(2) == 0
            ? Fuzz.Mutate(random, Fuzz.Pick(random, Samples), Tokens, Samples)
            : MutateTree(random, Fuzz.Pick(random, trees)).ToJsonString(), text =>
        {
            var result = DtdlParser.Parse(text);
            Assert.True(result.IsValid || result.Errors.All(e => e.Path.StartsWith('$')));
        });
    }

    [Fact]
    public void The_valid_examples_form_one_valid_model()
    {
        var result = DtdlParser.Parse(Valid);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(4, result.Interfaces.Count);
    }

    private static JsonNode? TryParse(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static JsonNode MutateTree(Random random, JsonNode tree)
    {
        var copy = tree.DeepClone();
        for (var n = random.Next(1, 6); n > 0; n--)
        {
            var containers = Containers(copy).ToList();
            var target = Fuzz.Pick(random, containers);
            switch (target)
            {
                case JsonObject obj when random.Next(3) == 0 && obj.Count > 0:
                    obj.Remove(obj.ElementAt(random.Next(obj.Count)).Key);
                    break;
                case JsonObject obj:
                    obj[Fuzz.Pick(random, Members)] = RandomValue(random, random.Next(4));
                    break;
                case JsonArray array when random.Next(3) == 0 && array.Count > 0:
                    array.RemoveAt(random.Next(array.Count));
                    break;
                case JsonArray array:
                    array.Add(random.Next(3) == 0 && containers.Count > 1 ? Fuzz.Pick(random, containers).DeepClone() : RandomValue(random, random.Next(4)));
                    break;
            }
        }

        return copy;
    }

    private static IEnumerable<JsonNode> Containers(JsonNode node)
    {
        var pending = new Stack<JsonNode>([node]);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            yield return current;
            var children = current switch
            {
                JsonObject obj => obj.Select(p => p.Value),
                JsonArray array => array,
                _ => [],
            };
            foreach (var child in children.OfType<JsonNode>().Where(c => c is JsonObject or JsonArray))
            {
                pending.Push(child);
            }
        }
    }

    private static JsonNode? RandomValue(Random random, int depth) => (depth <= 0 ? random.Next(4) : random.Next(7)) switch
    {
        0 => null,
        1 => JsonValue.Create(Fuzz.Pick(random, Words)),
        2 => JsonValue.Create(Fuzz.Pick(random, [0, 1, -1, 2.5, 1e308, 1e15])),
        3 => JsonValue.Create(random.Next(2) == 0),
        4 => Nested(random, random.Next(4) == 0 ? random.Next(50, 200) : random.Next(1, 8)),
        5 => new JsonArray(Enumerable.Range(0, random.Next(4)).Select(_ => RandomValue(random, depth - 1)).ToArray()),
        _ => new JsonObject(Enumerable.Range(0, random.Next(4)).Select(i => KeyValuePair.Create(Fuzz.Pick(random, Members) + (i == 0 ? "" : i.ToString(System.Globalization.CultureInfo.InvariantCulture)), RandomValue(random, depth - 1)))),
    };

    /// <summary>Complex schemas nested past any limit: Arrays of Arrays, or plain nesting.</summary>
    private static JsonNode Nested(Random random, int depth)
    {
        JsonNode node = JsonValue.Create("double");
        for (var i = 0; i < depth; i++)
        {
            node = random.Next(2) == 0 ? new JsonObject { ["@type"] = "Array", ["elementSchema"] = node } : new JsonArray(node);
        }

        return node;
    }

    /// <summary>The parser has no error type of its own to throw: it answers with errors.</summary>
    private sealed class NeverThrown : Exception;
}
