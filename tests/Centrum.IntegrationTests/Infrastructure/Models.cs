using System.Text.Json.Nodes;
using Centrum.Templates.Tests;

namespace Centrum.IntegrationTests.Infrastructure;

/// <summary>The published DTDL models kept in the repository (tests/reference-models), with their dependencies, as JSON.</summary>
internal static class Models
{
    public static string Folder => ReferenceModels.Folder;

    public static JsonNode Read(string relative) => JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, relative)))!;

    /// <summary>The model first, then every model it references that the folder holds (the public repository's layout).</summary>
    public static List<JsonNode> WithDependencies(string file) => ReferenceModels.WithDependencies(file).Select(text => JsonNode.Parse(text)!).ToList();
}
