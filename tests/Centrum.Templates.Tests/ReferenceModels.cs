using System.Text.RegularExpressions;

namespace Centrum.Templates.Tests;

/// <summary>
/// The published DTDL models kept in the repository (tests/reference-models, from the public Azure/iot-plugandplay-models
/// repository) in that repository's layout, read alone or with the models they reference. Linked into the integration tests too.
/// </summary>
internal static partial class ReferenceModels
{
    public static string Folder { get; } = Find();

    /// <summary>The model first, then every model it references that the folder holds.</summary>
    public static List<string> WithDependencies(string file)
    {
        var documents = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Load(string path)
        {
            if (!seen.Add(path))
            {
                return;
            }

            var text = File.ReadAllText(path);
            documents.Add(text);
            var own = OwnIds().Matches(text).Select(m => m.Groups[1].Value).ToHashSet();
            foreach (var dtmi in References().Matches(text).Select(m => m.Groups[1].Value).Where(d => !own.Contains(d)))
            {
                if (PathOf(dtmi) is { } dependency)
                {
                    Load(dependency);
                }
            }
        }

        Load(file);
        return documents;
    }

    /// <summary>The public model repository's layout: <c>dtmi/com/example/thermostat-1.json</c> for <c>dtmi:com:example:Thermostat;1</c>.</summary>
    private static string? PathOf(string dtmi)
    {
        var (body, version) = (dtmi[5..dtmi.IndexOf(';', StringComparison.Ordinal)], dtmi[(dtmi.IndexOf(';', StringComparison.Ordinal) + 1)..]);
        var segments = body.ToLowerInvariant().Split(':');
        var path = Path.Combine([Folder, .. segments[..^1], $"{segments[^1]}-{version}.json"]);
        return File.Exists(path) ? path : null;
    }

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "reference-models", "dtmi");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"tests/reference-models/dtmi is missing above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex("\"(?:extends|schema)\"\\s*:\\s*\"(dtmi:[^\"]+)\"")]
    private static partial Regex References();

    [GeneratedRegex("\"@id\"\\s*:\\s*\"(dtmi:[^\"]+)\"")]
    private static partial Regex OwnIds();
}
