using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Centrum.Export.Filters;

internal enum FilterValueKind
{
    Undefined,
    Null,
    Number,
    String,
    Boolean,
    Array,
    Object,

    /// <summary>A JSON number outside double's range: present, but equal only to the same JSON.</summary>
    Other,
}

/// <summary>
/// A literal or a field's value, reduced to its JSON kind. <see cref="FilterValueKind.Undefined"/> (the default) is a
/// field the message and the device do not have, as distinct from one that holds JSON null.
/// </summary>
internal readonly record struct FilterValue(FilterValueKind Kind, double Number = 0, string? Text = null, bool Boolean = false, JsonNode? Node = null)
{
    public static FilterValue Undefined => default;

    public static FilterValue Null => new(FilterValueKind.Null);

    public static FilterValue Of(double number) => new(FilterValueKind.Number, Number: number);

    public static FilterValue Of(string text) => new(FilterValueKind.String, Text: text);

    public static FilterValue Of(bool value) => new(FilterValueKind.Boolean, Boolean: value);

    /// <summary>The value of a JSON node that is present (a null node is JSON null).</summary>
    public static FilterValue Of(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return Null;
            case JsonObject:
                return new FilterValue(FilterValueKind.Object, Node: node);
            case JsonArray:
                return new FilterValue(FilterValueKind.Array, Node: node);
        }

        var value = node.AsValue();
        return value.GetValueKind() switch
        {
            JsonValueKind.String => Of(value.TryGetValue<string>(out var text) ? text : value.ToString()),
            JsonValueKind.Number => ReadNumber(value) is { } number ? Of(number) : new FilterValue(FilterValueKind.Other, Node: node),
            JsonValueKind.True => Of(true),
            JsonValueKind.False => Of(false),
            JsonValueKind.Null => Null,
            _ => new FilterValue(FilterValueKind.Other, Node: node),
        };
    }

    private static double? ReadNumber(JsonValue value)
    {
        // Parsed messages hold JsonElements; values built in code hold CLR numbers of any type, which the text covers.
        if (value.TryGetValue<JsonElement>(out var element))
        {
            return element.TryGetDouble(out var parsed) && double.IsFinite(parsed) ? parsed : null;
        }

        if (value.TryGetValue<double>(out var number))
        {
            return double.IsFinite(number) ? number : null;
        }

        if (value.TryGetValue<int>(out var integer))
        {
            return integer;
        }

        return double.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out number) && double.IsFinite(number) ? number : null;
    }
}
