using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Centrum.IntegrationTests.Infrastructure;

/// <summary>The published DTDL models beside the repository (shared/reference/dtdl-models), with their dependencies.</summary>
internal static partial class Models
{
    public static string Folder { get; } = Find();

    public static JsonNode Read(string relative) => JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, relative)))!;

    /// <summary>The model first, then every model it references that the folder holds (the public repository's layout).</summary>
    public static List<JsonNode> WithDependencies(string file)
    {
        var result = new List<JsonNode>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Load(string path)
        {
            if (!seen.Add(path))
            {
                return;
            }

            var text = File.ReadAllText(path);
            result.Add(JsonNode.Parse(text)!);
            var own = OwnIds().Matches(text).Select(m => m.Groups[1].Value).ToHashSet();
            foreach (var dtmi in References().Matches(text).Select(m => m.Groups[1].Value).Where(d => !own.Contains(d)))
            {
                var semicolon = dtmi.IndexOf(';', StringComparison.Ordinal);
                var segments = dtmi[5..semicolon].ToLowerInvariant().Split(':');
                var dependency = Path.Combine([Folder, .. segments[..^1], $"{segments[^1]}-{dtmi[(semicolon + 1)..]}.json"]);
                if (File.Exists(dependency))
                {
                    Load(dependency);
                }
            }
        }

        Load(file);
        return result;
    }

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "reference", "dtdl-models", "dtmi");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("shared/reference/dtdl-models is missing beside the repository.");
    }

    [GeneratedRegex("\"(?:extends|schema)\"\\s*:\\s*\"(dtmi:[^\"]+)\"")]
    private static partial Regex References();

    [GeneratedRegex("\"@id\"\\s*:\\s*\"(dtmi:[^\"]+)\"")]
    private static partial Regex OwnIds();
}
