using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Centrum.IntegrationTests.Conformance;

/// <summary>
/// One example of one operation of IoT Central's published REST specification (Azure/azure-rest-api-specs,
/// specification/iotcentral/data-plane, versions 2022-07-31 and 2022-10-31-preview), as the swagger's x-ms-examples
/// name it. The key, <c>version/operationId/example</c>, names it in the test list and in known-differences.txt.
/// </summary>
public sealed partial record PublishedExample(
    string Version,
    string Method,
    string PathTemplate,
    string OperationId,
    string ExampleName,
    JsonObject Operation,
    JsonObject Example,
    JsonObject Swagger)
{
    public string Key => $"{Version}/{OperationId}/{ExampleName}";

    public static string SpecificationFolder => Path.Combine(Repository.Root, "tests", "iotcentral-api");

    /// <summary>Every example of every operation of both versions, in the swagger's order.</summary>
    public static IReadOnlyList<PublishedExample> All { get; } = Load();

    /// <summary>The example's parameters (path, query and body), as published.</summary>
    public JsonObject Parameters => Example["parameters"]!.AsObject();

    public IEnumerable<string> PathParameterNames => PathParameter().Matches(PathTemplate).Select(m => m.Groups[1].Value);

    /// <summary>The lowest documented success status, and the body the example shows for it.</summary>
    public (int Status, JsonNode? Body) ExpectedResponse
    {
        get
        {
            var responses = Example["responses"]!.AsObject();
            var status = responses.Select(r => int.Parse(r.Key, System.Globalization.CultureInfo.InvariantCulture)).Where(s => s < 300).Min();
            return (status, responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)]?["body"]);
        }
    }

    /// <summary>The query parameters the operation declares and the example gives, besides path and body.</summary>
    public IEnumerable<(string Name, string Value)> QueryParameters =>
        Operation["parameters"]!.AsArray()
            .Select(p => Resolve(p!))
            .Where(p => (string?)p["in"] == "query")
            .Select(p => (string)p["name"]!)
            .Where(n => Parameters[n] is not null)
            .Select(n => (n, Parameters[n]!.GetValueKind() == System.Text.Json.JsonValueKind.String ? (string)Parameters[n]! : Parameters[n]!.ToJsonString()));

    /// <summary>The schema of the documented success response, with local references resolved.</summary>
    public JsonNode? ResponseSchema => Operation["responses"]?[ExpectedResponse.Status.ToString(System.Globalization.CultureInfo.InvariantCulture)]?["schema"] is { } s ? Resolve(s) : null;

    public JsonNode Resolve(JsonNode node)
    {
        for (var depth = 0; depth < 16 && node["$ref"] is { } reference; depth++)
        {
            var parts = ((string)reference!).TrimStart('#', '/').Split('/');
            node = Swagger[parts[0]]![parts[1]]!;
        }

        return node;
    }

    /// <summary>
    /// The member names a schema documents: its own properties, those of what it extends (allOf) and those of the
    /// types that extend it (a discriminated base such as Destination or Attestation).
    /// </summary>
    public Dictionary<string, JsonNode?> DocumentedMembers(JsonNode schema)
    {
        var names = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        var seen = new HashSet<JsonNode>(ReferenceEqualityComparer.Instance);
        Collect(Resolve(schema), 0);
        return names;

        void Collect(JsonNode node, int depth)
        {
            if (depth > 8 || !seen.Add(node))
            {
                return;
            }

            foreach (var property in node["properties"]?.AsObject() ?? [])
            {
                names.TryAdd(property.Key, property.Value);
            }

            foreach (var parent in node["allOf"]?.AsArray() ?? [])
            {
                Collect(Resolve(parent!), depth + 1);
            }

            if (node["additionalProperties"] is JsonObject)
            {
                names.TryAdd("*", null);
            }

            foreach (var definition in Swagger["definitions"]!.AsObject())
            {
                if (definition.Value!["allOf"]?.AsArray().Any(a => a?["$ref"] is { } r && ReferenceEquals(Resolve(a), node)) == true)
                {
                    Collect(definition.Value, depth + 1);
                }
            }
        }
    }

    public override string ToString() => Key;

    private static List<PublishedExample> Load()
    {
        var examples = new List<PublishedExample>();
        foreach (var folder in new[] { Path.Combine("stable", "2022-07-31"), Path.Combine("preview", "2022-10-31-preview") })
        {
            var directory = Path.Combine(SpecificationFolder, folder);
            var swagger = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "iotcentral.json")))!.AsObject();
            var version = Path.GetFileName(folder);
            foreach (var (path, operations) in swagger["paths"]!.AsObject())
            {
                foreach (var (method, operation) in operations!.AsObject())
                {
                    if (method == "parameters")
                    {
                        continue;
                    }

                    foreach (var (_, reference) in operation!["x-ms-examples"]?.AsObject() ?? [])
                    {
                        var file = ((string)reference!["$ref"]!).Replace("./", "", StringComparison.Ordinal);
                        var example = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, file)))!.AsObject();
                        examples.Add(new PublishedExample(version, method.ToUpperInvariant(), path, (string)operation["operationId"]!,
                            Path.GetFileNameWithoutExtension(file), operation.AsObject(), example, swagger));
                    }
                }
            }
        }

        return examples;
    }

    [GeneratedRegex(@"\{([A-Za-z]+)\}")]
    private static partial Regex PathParameter();
}
