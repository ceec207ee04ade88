using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Centrum.Jobs.Execution;

/// <summary>
/// A writable property's acknowledgement as IoT Plug and Play devices report it ("IoT Plug and Play conventions",
/// "Writable properties"): the reported property is <c>{"value": …, "ac": code, "av": version, "ad": "…"}</c>, at the
/// root or under its component (<c>{"__t": "c", name: {…}}</c>). <c>av</c> is the desired <c>$version</c> the device
/// answers and <c>ac</c> an HTTP-like status code.
/// </summary>
internal readonly record struct Acknowledgement(int Code, long Version, string? Description)
{
    /// <summary>The most of a device's <c>ad</c> kept as a failure reason: it is the device's text, shown to the operator, not a document.</summary>
    public const int MaxDescriptionLength = 512;

    public bool Succeeded => Code is >= 200 and < 300;

    /// <summary>The acknowledgement of <paramref name="name"/> in the reported document, if the device has written one.</summary>
    public static Acknowledgement? Find(JsonObject reported, string? component, string name)
    {
        var scope = component is null ? reported : reported[component] as JsonObject;
        if (scope?[name] is not JsonObject property || !TryInteger(property["ac"], out var code) || !TryInteger(property["av"], out var version))
        {
            return null;
        }

        var description = property["ad"] is JsonValue ad && ad.GetValueKind() == JsonValueKind.String ? ad.GetValue<string>() : null;
        if (description is { Length: > MaxDescriptionLength })
        {
            description = description[..MaxDescriptionLength];
        }

        return new Acknowledgement((int)Math.Clamp(code, int.MinValue, int.MaxValue), version, description);
    }

    /// <summary>What the device said, for a failed device's reason.</summary>
    public string Describe() =>
        string.IsNullOrEmpty(Description)
            ? string.Create(CultureInfo.InvariantCulture, $"the device refused the value with code {Code}")
            : string.Create(CultureInfo.InvariantCulture, $"the device refused the value with code {Code}: {Description}");

    private static bool TryInteger(JsonNode? node, out long value)
    {
        value = 0;
        if (node is not JsonValue json || json.GetValueKind() != JsonValueKind.Number)
        {
            return false;
        }

        // Read from the number's JSON text, whatever CLR type the node holds (parsed or built in memory).
        var text = json.ToJsonString();
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && number == Math.Floor(number) && Math.Abs(number) < long.MaxValue)
        {
            value = (long)number;
            return true;
        }

        return false;
    }
}
