using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Centrum.Dashboards.Tiles;

/// <summary>
/// A position a map tile draws: IoT Central's geopoint (<c>{"lat": …, "lon": …, "alt": …}</c>, the schema of its
/// Location semantic type) or a GeoJSON point (RFC 7946 §3.1.2, <c>{"type": "Point", "coordinates": [lon, lat, alt]}</c>,
/// DTDL's <c>dtmi:standard:schema:geospatial:point</c>). Read from device data, so any other shape, a value out of
/// range or a non-number is not a position: <see cref="TryRead"/> answers false and never throws.
/// </summary>
public readonly record struct GeoPoint(double Latitude, double Longitude, double? Altitude)
{
    /// <summary>Reads a geopoint or a GeoJSON point; false for anything else.</summary>
    public static bool TryRead(JsonNode? value, out GeoPoint point)
    {
        point = default;
        if (value is not JsonObject item)
        {
            return false;
        }

        double? lat, lon, alt = null;
        if (item["coordinates"] is JsonArray coordinates)
        {
            if (!(item["type"] is JsonValue type && type.GetValueKind() == JsonValueKind.String && type.GetValue<string>() == "Point")
                || coordinates.Count is < 2 or > 3)
            {
                return false;
            }

            lon = Number(coordinates[0]);
            lat = Number(coordinates[1]);
            if (coordinates.Count == 3 && (alt = Number(coordinates[2])) is null)
            {
                return false;
            }
        }
        else
        {
            lat = Number(item["lat"]);
            lon = Number(item["lon"]);
            if (item["alt"] is { } altitude && (alt = Number(altitude)) is null)
            {
                return false;
            }
        }

        if (lat is not (>= -90 and <= 90) || lon is not (>= -180 and <= 180))
        {
            return false;
        }

        point = new GeoPoint(lat.Value, lon.Value, alt);
        return true;
    }

    private static double? Number(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number
        && double.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number) ? number : null;
}
