using System.Globalization;
using System.Text.Json;

namespace Centrum.Dashboards.Tiles;

/// <summary>
/// A tile's text format (IoT Central's <c>TextFormatConfiguration</c>: <c>decimalPlaces</c>, <c>abbreviateValue</c>,
/// <c>textSize</c> and its <c>unit</c>) and the number text it produces. Read leniently: the dashboards area keeps what
/// IoT Central accepts, and a member that does not fit is left at its default rather than failing the tile.
/// </summary>
public sealed record TileTextFormat(int? DecimalPlaces, bool Abbreviate, double? TextSize, string TextSizeUnit)
{
    /// <summary>
    /// Decimal places a value may show: .NET's fixed-point format takes up to 999,999,999, but a double carries 15 to 17
    /// significant digits (IEEE 754 binary64), so more places print noise.
    /// </summary>
    public const int MaxDecimalPlaces = 15;

    /// <summary>Places shown when the tile names none: IoT Central's tiles show up to two, trailing zeros dropped.</summary>
    public const int DefaultDecimalPlaces = 2;

    /// <summary>The format of a tile with none: the schema's defaults (<c>abbreviateValue</c> defaults to true).</summary>
    public static TileTextFormat None { get; } = new(null, true, null, "px");

    /// <summary>
    /// Suffixes of an abbreviated value and the power of a thousand each stands for (the short scale IoT Central's
    /// tiles use: 1.2K, 3.4M, 5.6B, 7.8T).
    /// </summary>
    private static readonly (double Scale, string Suffix)[] Abbreviations = [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")];

    /// <summary>The <c>format</c> member of a tile's configuration.</summary>
    public static TileTextFormat Read(JsonElement configuration)
    {
        if (configuration.ValueKind != JsonValueKind.Object || !configuration.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.Object)
        {
            return None;
        }

        int? places = format.TryGetProperty("decimalPlaces", out var p) && p.ValueKind == JsonValueKind.Number && p.TryGetInt32(out var n) && n is >= 0 and <= MaxDecimalPlaces ? n : null;
        var abbreviate = !(format.TryGetProperty("abbreviateValue", out var a) && a.ValueKind == JsonValueKind.False);
        double? size = format.TryGetProperty("textSize", out var s) && s.ValueKind == JsonValueKind.Number && s.TryGetDouble(out var d) && d is > 0 and <= 200 ? d : null;
        var unit = format.TryGetProperty("unit", out var u) && u.ValueKind == JsonValueKind.String && u.GetString() is "px" or "pt" ? u.GetString()! : "px";
        return new TileTextFormat(places, abbreviate, size, unit);
    }

    /// <summary>The CSS font size the format names, or null.</summary>
    public string? FontSize => TextSize is { } size ? size.ToString("0.##", CultureInfo.InvariantCulture) + TextSizeUnit : null;

    /// <summary>A number as the tile shows it: abbreviated when asked, then rounded to the format's places.</summary>
    public string Format(double value)
    {
        if (!double.IsFinite(value))
        {
            return "—";
        }

        var suffix = "";
        if (Abbreviate)
        {
            foreach (var (scale, name) in Abbreviations)
            {
                if (Math.Abs(value) >= scale)
                {
                    value /= scale;
                    suffix = name;
                    break;
                }
            }
        }

        // Rounded half away from zero, as people round (and IoT Central's tiles show), then written with exactly those
        // places; a value that rounds to zero is written without a minus sign.
        var rounded = Math.Round(value, DecimalPlaces ?? DefaultDecimalPlaces, MidpointRounding.AwayFromZero);
        if (rounded == 0)
        {
            rounded = 0;
        }

        var text = DecimalPlaces is { } places
            ? rounded.ToString("F" + places.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)
            : rounded.ToString("0." + new string('#', DefaultDecimalPlaces), CultureInfo.InvariantCulture);
        return text + suffix;
    }
}
