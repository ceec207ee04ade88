using System.Text.Json;
using System.Text.Json.Nodes;

namespace Centrum.Export.Tests.Messages;

/// <summary>
/// IoT Central's published example of each export message type (DocumentedMessages.json), and how a message differs
/// from it: a documented member missing or of another JSON type (objects and array items compared member by member),
/// or a top-level member the example does not have. Shared by the unit tests and the end-to-end export tests.
/// </summary>
internal static class DocumentedMessages
{
    /// <summary>Centrum's member on every message (docs/api.md): the record's position, for dropping repeats.</summary>
    public const string SequenceNumber = "sequenceNumber";

    public static JsonObject Example(string source)
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Messages", "DocumentedMessages.json"));
        var all = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!.AsObject();
        return all[source]!.AsObject();
    }

    /// <summary>
    /// The differences of <paramref name="message"/> from the example of its <c>messageSource</c>. Top-level members
    /// beyond the example are allowed only as <see cref="SequenceNumber"/> or by name in <paramref name="extras"/>;
    /// <paramref name="missing"/> names documented members (dotted paths) Centrum deliberately lacks.
    /// </summary>
    public static List<string> Differences(JsonObject message, IReadOnlyCollection<string> extras, IReadOnlyCollection<string> missing)
    {
        var source = (string?)message["messageSource"] ?? "";
        var example = Example(source);
        var problems = new List<string>();
        Compare(example, message, "", missing, problems);
        foreach (var (name, _) in message)
        {
            if (!example.ContainsKey(name) && name != SequenceNumber && !extras.Contains(name))
            {
                problems.Add($"{name}: not in IoT Central's example");
            }
        }

        if (!Guid.TryParse((string?)message["applicationId"], out _))
        {
            problems.Add("applicationId: not a GUID");
        }

        return problems;
    }

    private static void Compare(JsonNode? documented, JsonNode? actual, string path, IReadOnlyCollection<string> missing, List<string> problems)
    {
        var expected = Kind(documented);
        if (Kind(actual) != expected)
        {
            problems.Add($"{path}: {Kind(actual)} where IoT Central has {expected}");
            return;
        }

        switch (documented)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj)
                {
                    var at = path.Length == 0 ? name : $"{path}.{name}";
                    if (!actual!.AsObject().ContainsKey(name))
                    {
                        if (!missing.Contains(at))
                        {
                            problems.Add($"{at}: missing");
                        }

                        continue;
                    }

                    Compare(value, actual[name], at, missing, problems);
                }

                break;
            case JsonArray array:
                var items = actual!.AsArray();
                if (items.Count == 0)
                {
                    problems.Add($"{path}: empty where IoT Central's example has items");
                }

                foreach (var item in items)
                {
                    Compare(array[0], item, $"{path}[]", missing, problems);
                }

                break;
        }
    }

    /// <summary>A JSON type: <c>true</c> and <c>false</c> are one (boolean).</summary>
    private static JsonValueKind Kind(JsonNode? node) => node?.GetValueKind() switch
    {
        null => JsonValueKind.Null,
        JsonValueKind.False => JsonValueKind.True,
        var kind => kind.Value,
    };
}
