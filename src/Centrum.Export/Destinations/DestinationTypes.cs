using System.Text.Json;
using System.Text.Json.Nodes;

namespace Centrum.Export.Destinations;

/// <summary>The destination types this server offers, by their <c>type</c> discriminator.</summary>
public sealed class DestinationTypes
{
    private readonly Dictionary<string, IDestinationType> _types;

    public DestinationTypes(IEnumerable<IDestinationType> types)
    {
        _types = types.ToDictionary(t => t.Type, StringComparer.Ordinal);
        Supported = [.. _types.Keys.Order(StringComparer.Ordinal)];
    }

    /// <summary>The supported <c>type</c> values, sorted.</summary>
    public IReadOnlyList<string> Supported { get; }

    /// <summary>The type registered for <paramref name="type"/>, or null. Type names are case-sensitive, as in IoT Central.</summary>
    public IDestinationType? Find(string type) => _types.GetValueOrDefault(type);

    /// <summary>
    /// Checks a definition of any type: a message naming the problem (an absent or unknown <c>type</c> lists the
    /// supported ones), or null when the definition is valid for its type.
    /// </summary>
    public string? Validate(JsonObject definition)
    {
        var node = definition["type"];
        if (node is null || node.GetValueKind() != JsonValueKind.String)
        {
            return $"'type' is required: one of {string.Join(", ", Supported)}.";
        }

        var type = node.GetValue<string>();
        return Find(type) is { } destinationType
            ? destinationType.Validate(definition)
            : $"Unknown destination type '{type}'; Centrum supports {string.Join(", ", Supported)}.";
    }
}
