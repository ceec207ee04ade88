using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Centrum.Web.Devices;

/// <summary>A telemetry or property value as the device view shows it to a person.</summary>
internal static class ValueText
{
    /// <summary>The dash shown for a value the device has not sent.</summary>
    public const string Missing = "–";

    /// <summary>
    /// A string without its JSON quotes, a geopoint (DTDL's object of "lat" and "lon" numbers) as "lat, lon" to five
    /// decimals (about a metre), anything else as its JSON.
    /// </summary>
    public static string Of(JsonNode? value) => value switch
    {
        null => Missing,
        JsonValue text when text.GetValueKind() == JsonValueKind.String => text.GetValue<string>(),
        JsonObject { Count: 2 } point when point["lat"] is JsonValue lat && point["lon"] is JsonValue lon
            && lat.GetValueKind() == JsonValueKind.Number && lon.GetValueKind() == JsonValueKind.Number
            => string.Create(CultureInfo.InvariantCulture, $"{lat.GetValue<double>():0.#####}, {lon.GetValue<double>():0.#####}"),
        _ => value.ToJsonString(),
    };
}
