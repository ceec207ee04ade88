using System.Collections.Frozen;
using System.Text.Json;

namespace Centrum.Dashboards;

/// <summary>
/// IoT Central's tile schema (REST API 2022-10-31-preview, <c>Tile</c> and the <c>TileConfiguration</c> variants by
/// their <c>type</c> discriminator): position and size within the grid's bounds, and per tile type the members its
/// configuration may have, which are required, and what each holds. A member the type does not have is refused, as
/// the area refuses unknown members of every IoT Central body. A refusal names the member's path.
/// </summary>
public static class TileRules
{
    /// <summary>Tiles of one dashboard (swagger: <c>Dashboard.tiles</c> maxItems 100).</summary>
    public const int MaxTiles = 100;

    /// <summary>A tile's width and height in grid cells (swagger: <c>Tile.width</c>, <c>Tile.height</c> minimum 1, maximum 10).</summary>
    public const int MinSize = 1;

    /// <inheritdoc cref="MinSize"/>
    public const int MaxSize = 10;

    /// <summary>A tile's column and row (swagger: <c>Tile.x</c>, <c>Tile.y</c> minimum 0, maximum 100).</summary>
    public const int MaxPosition = 100;

    /// <summary>Devices a tile names (swagger: <c>GroupTileConfiguration.devices</c> maxItems 100).</summary>
    public const int MaxDevices = 100;

    /// <summary>
    /// Capabilities a tile shows. The swagger gives no bound; a tile draws one series per capability and device, and a
    /// device template holds at most 100 telemetry or property capabilities in IoT Central's editor, so 100 is generous.
    /// </summary>
    public const int MaxCapabilities = 100;

    /// <summary>Characters of a text member (a markdown tile's description is the longest IoT Central shows): bounds what is stored.</summary>
    public const int MaxTextLength = 16 * 1024;

    /// <summary>Characters of a tile's display name and of an id a tile names (IoT Hub device ids are at most 128 characters).</summary>
    public const int MaxNameLength = 1024;

    /// <summary>Characters of a tile id: the ids Centrum assigns are 32; a client that keeps them sends them back.</summary>
    public const int MaxTileIdLength = 64;

    /// <summary>A map tile's zoom (swagger: <c>MapTileConfiguration.zoomLevel</c> minimum 0, maximum 24).</summary>
    public const int MaxZoomLevel = 24;

    /// <summary>The only data-point count a count range takes (swagger: <c>CountQueryRangeConfiguration.count</c> minimum and maximum 100).</summary>
    public const int QueryCount = 100;

    /// <summary>Bytes of one tile's configuration as JSON: a hundred devices and capabilities with long names stay far below.</summary>
    public const int MaxConfigurationBytes = 64 * 1024;

    /// <summary>
    /// Nesting of a value the schema leaves free (a command tile's <c>device</c>, typed "any"): the published examples
    /// hold a string; a few levels allow an object naming a device without allowing a deep document.
    /// </summary>
    public const int MaxFreeValueDepth = 8;

    /// <summary>Font sizes IoT Central's tile editor offers stay far below this; it keeps a stored size meaningful.</summary>
    private const double MaxTextSize = 1000;

    private static readonly string[] AggregateFunctions = ["sum", "count", "max", "min", "avg"];
    private static readonly string[] Durations = ["PT30M", "PT1H", "PT12H", "P1D", "P1W", "P30D"];
    private static readonly string[] Resolutions = ["PT1M", "PT5M", "PT10M", "PT30M", "PT1H", "PT12H", "P1D", "P1W"];

    private enum Kind
    {
        Text,
        NonEmptyText,
        Name,
        DeviceList,
        Capabilities,
        TimeRange,
        TimeOrCountRange,
        ChartFormat,
        TextFormat,
        ImageFormat,
        ZoomLevel,
        TextSize,
        Boolean,
        TextSizeUnit,
        Free,
    }

    private sealed record Member(Kind Kind, bool Required);

    private static readonly Member Group = new(Kind.Name, true);
    private static readonly Member Devices = new(Kind.DeviceList, true);
    private static readonly Member Capabilities = new(Kind.Capabilities, false);
    private static readonly Member TimeRange = new(Kind.TimeRange, true);
    private static readonly Member ChartFormat = new(Kind.ChartFormat, false);
    private static readonly Member TextFormat = new(Kind.TextFormat, false);

    /// <summary>The configuration of each tile type, after the swagger's definitions (the <c>allOf</c> parts merged).</summary>
    private static readonly FrozenDictionary<string, FrozenDictionary<string, Member>> Types = new Dictionary<string, Dictionary<string, Member>>
    {
        ["lineChart"] = new() { ["group"] = Group, ["devices"] = Devices, ["capabilities"] = Capabilities, ["format"] = ChartFormat, ["queryRange"] = new(Kind.TimeOrCountRange, true) },
        ["barChart"] = new() { ["group"] = Group, ["devices"] = Devices, ["capabilities"] = Capabilities, ["format"] = ChartFormat, ["queryRange"] = TimeRange },
        ["pieChart"] = new() { ["group"] = Group, ["devices"] = Devices, ["capabilities"] = Capabilities, ["format"] = ChartFormat, ["queryRange"] = TimeRange },
        ["heatMapChart"] = new() { ["group"] = Group, ["devices"] = Devices, ["capabilities"] = Capabilities, ["format"] = ChartFormat, ["queryRange"] = TimeRange },
        ["eventChart"] = new() { ["group"] = Group, ["devices"] = Devices, ["capabilities"] = Capabilities, ["queryRange"] = TimeRange },
        ["stateChart"] = new() { ["group"] = Group, ["devices"] = Devices, ["capabilities"] = Capabilities, ["queryRange"] = TimeRange },
        ["eventHistoryChart"] = new() { ["group"] = Group, ["devices"] = Devices, ["capabilities"] = Capabilities, ["format"] = TextFormat, ["queryRange"] = TimeRange },
        ["stateHistoryChart"] = new() { ["group"] = Group, ["devices"] = Devices, ["capabilities"] = Capabilities, ["format"] = TextFormat, ["queryRange"] = TimeRange },
        ["kpi"] = new() { ["group"] = Group, ["devices"] = Devices, ["capabilities"] = Capabilities, ["format"] = TextFormat, ["queryRange"] = TimeRange },
        ["lkv"] = new() { ["group"] = Group, ["devices"] = Devices, ["capabilities"] = Capabilities, ["format"] = TextFormat, ["showTrend"] = new(Kind.Boolean, false) },
        ["property"] = new() { ["group"] = Group, ["devices"] = Devices, ["capabilities"] = Capabilities, ["format"] = TextFormat },
        ["mapProperty"] = new() { ["group"] = Group, ["devices"] = Devices, ["capabilities"] = Capabilities, ["zoomLevel"] = new(Kind.ZoomLevel, false) },
        ["mapTelemetry"] = new() { ["group"] = Group, ["devices"] = Devices, ["capabilities"] = Capabilities, ["zoomLevel"] = new(Kind.ZoomLevel, false) },
        // Two definitions claim "command" (CommandConfiguration: device and command; CommandTileConfiguration: group,
        // command and a device of any type): a command tile needs a command and a device and may name a group.
        ["command"] = new() { ["command"] = new(Kind.Name, true), ["device"] = new(Kind.Free, true), ["group"] = new(Kind.Name, false) },
        ["dataExplorer"] = new() { ["queryRange"] = TimeRange, ["query"] = new(Kind.Name, false) },
        ["deviceCount"] = new() { ["group"] = new(Kind.Name, false), ["format"] = TextFormat },
        ["externalContent"] = new() { ["sourceUrl"] = new(Kind.Text, true) },
        ["image"] = new() { ["image"] = new(Kind.Text, false), ["href"] = new(Kind.Text, false), ["format"] = new(Kind.ImageFormat, false) },
        ["label"] = new() { ["text"] = new(Kind.NonEmptyText, true), ["textSize"] = new(Kind.TextSize, false), ["textSizeUnit"] = new(Kind.TextSizeUnit, false), ["wordWrap"] = new(Kind.Boolean, false) },
        ["markdown"] = new() { ["description"] = new(Kind.Text, true), ["href"] = new(Kind.Text, false), ["image"] = new(Kind.Text, false) },
    }.ToFrozenDictionary(t => t.Key, t => t.Value.ToFrozenDictionary(StringComparer.Ordinal), StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, Kind> ChartFormatMembers =
        new Dictionary<string, Kind> { ["xAxisEnabled"] = Kind.Boolean, ["yAxisEnabled"] = Kind.Boolean, ["legendEnabled"] = Kind.Boolean }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, Kind> TextFormatMembers = new Dictionary<string, Kind>
    {
        ["abbreviateValue"] = Kind.Boolean, ["decimalPlaces"] = Kind.Free, ["textSize"] = Kind.TextSize, ["unit"] = Kind.TextSizeUnit, ["wordWrap"] = Kind.Boolean,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, Kind> ImageFormatMembers = new Dictionary<string, Kind>
    {
        ["backgroundColor"] = Kind.Text, ["fitImage"] = Kind.Boolean, ["textColor"] = Kind.Text, ["textSize"] = Kind.TextSize, ["textSizeUnit"] = Kind.Free, ["showTitle"] = Kind.Boolean,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The tile types IoT Central's preview schema defines.</summary>
    public static IReadOnlyCollection<string> TileTypes => Types.Keys;

    /// <summary>Checks one tile; throws <see cref="DashboardFormatException"/> naming the path (<c>tiles[2].configuration.queryRange.duration</c>).</summary>
    public static void Check(Tile tile, string path)
    {
        ArgumentNullException.ThrowIfNull(tile);
        if (tile.Id.Length > MaxTileIdLength || !tile.Id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw Fail($"{path}.id", $"must be at most {MaxTileIdLength} letters, digits, '-' or '_'.");
        }

        if (tile.DisplayName.Length > MaxNameLength)
        {
            throw Fail($"{path}.displayName", $"takes at most {MaxNameLength} characters.");
        }

        Range(tile.X, 0, MaxPosition, $"{path}.x");
        Range(tile.Y, 0, MaxPosition, $"{path}.y");
        Range(tile.Width, MinSize, MaxSize, $"{path}.width");
        Range(tile.Height, MinSize, MaxSize, $"{path}.height");
        try
        {
            CheckConfiguration(tile.Configuration, $"{path}.configuration");
        }
        catch (InvalidOperationException)
        {
            // A name or string escaping an unpaired surrogate (\ud800) is no Unicode text (RFC 8259 §8.2); the JSON
            // reader says so by throwing this when the text is read.
            throw Fail($"{path}.configuration", "holds text with an unpaired surrogate.");
        }
    }

    private static void Range(int value, int min, int max, string path)
    {
        if (value < min || value > max)
        {
            throw Fail(path, $"must be between {min} and {max}.");
        }
    }

    private static void CheckConfiguration(JsonElement configuration, string path)
    {
        if (configuration.ValueKind != JsonValueKind.Object)
        {
            throw Fail(path, "must be an object.");
        }

        if (configuration.GetRawText().Length > MaxConfigurationBytes)
        {
            throw Fail(path, $"is larger than {MaxConfigurationBytes} bytes.");
        }

        if (!configuration.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
        {
            throw Fail($"{path}.type", $"is required: one of {string.Join(", ", Types.Keys.Order(StringComparer.Ordinal))}.");
        }

        var type = typeElement.GetString()!;
        if (!Types.TryGetValue(type, out var members))
        {
            throw Fail($"{path}.type", $"'{Shorten(type)}' is not a tile type; use one of {string.Join(", ", Types.Keys.Order(StringComparer.Ordinal))}.");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in configuration.EnumerateObject())
        {
            var memberPath = $"{path}.{Shorten(member.Name)}";
            if (!seen.Add(member.Name))
            {
                throw Fail(memberPath, "is given twice.");
            }

            if (member.Name == "type")
            {
                continue;
            }

            if (!members.TryGetValue(member.Name, out var rule))
            {
                throw Fail(memberPath, $"is not a member of a {type} tile.");
            }

            CheckValue(rule.Kind, member.Value, memberPath);
        }

        foreach (var (name, rule) in members)
        {
            if (rule.Required && !seen.Contains(name))
            {
                throw Fail($"{path}.{name}", $"is required for a {type} tile.");
            }
        }
    }

    private static void CheckValue(Kind kind, JsonElement value, string path)
    {
        switch (kind)
        {
            case Kind.Text:
                Text(value, path, MaxTextLength);
                break;
            case Kind.NonEmptyText:
                if (Text(value, path, MaxTextLength).Length == 0)
                {
                    throw Fail(path, "must not be empty.");
                }

                break;
            case Kind.Name:
                Text(value, path, MaxNameLength);
                break;
            case Kind.DeviceList:
                var devices = Array(value, path, MaxDevices);
                for (var i = 0; i < devices.Count; i++)
                {
                    Text(devices[i], $"{path}[{i}]", MaxNameLength);
                }

                break;
            case Kind.Capabilities:
                var capabilities = Array(value, path, MaxCapabilities);
                for (var i = 0; i < capabilities.Count; i++)
                {
                    Capability(capabilities[i], $"{path}[{i}]");
                }

                break;
            case Kind.TimeRange:
                QueryRange(value, path, allowCount: false);
                break;
            case Kind.TimeOrCountRange:
                QueryRange(value, path, allowCount: true);
                break;
            case Kind.ChartFormat:
                Format(value, path, ChartFormatMembers);
                break;
            case Kind.TextFormat:
                Format(value, path, TextFormatMembers);
                if (value.TryGetProperty("decimalPlaces", out var places) && (places.ValueKind != JsonValueKind.Number || !places.TryGetInt32(out var count) || count is < 0 or > 15))
                {
                    throw Fail($"{path}.decimalPlaces", "must be a whole number between 0 and 15.");
                }

                break;
            case Kind.ImageFormat:
                Format(value, path, ImageFormatMembers);
                if (value.TryGetProperty("textSizeUnit", out var pixels) && (pixels.ValueKind != JsonValueKind.String || pixels.GetString() != "px"))
                {
                    throw Fail($"{path}.textSizeUnit", "must be 'px'.");
                }

                break;
            case Kind.ZoomLevel:
                Number(value, path, 0, MaxZoomLevel);
                break;
            case Kind.TextSize:
                Number(value, path, double.Epsilon, MaxTextSize);
                break;
            case Kind.Boolean:
                if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    throw Fail(path, "must be true or false.");
                }

                break;
            case Kind.TextSizeUnit:
                OneOf(value, path, ["pt"]);
                break;
            case Kind.Free:
                Depth(value, path, 0);
                break;
        }
    }

    private static void Capability(JsonElement capability, string path)
    {
        if (capability.ValueKind != JsonValueKind.Object)
        {
            throw Fail(path, "must be an object with capability and aggregateFunction.");
        }

        var seen = 0;
        foreach (var member in capability.EnumerateObject())
        {
            var memberPath = $"{path}.{Shorten(member.Name)}";
            switch (member.Name)
            {
                case "capability":
                    Text(member.Value, memberPath, MaxNameLength);
                    break;
                case "aggregateFunction":
                    OneOf(member.Value, memberPath, AggregateFunctions);
                    break;
                default:
                    throw Fail(memberPath, "is not a member of a tile capability.");
            }

            seen++;
        }

        if (!capability.TryGetProperty("capability", out _) || !capability.TryGetProperty("aggregateFunction", out _) || seen != 2)
        {
            throw Fail(path, "must have capability and aggregateFunction, once each.");
        }
    }

    private static void QueryRange(JsonElement range, string path, bool allowCount)
    {
        if (range.ValueKind != JsonValueKind.Object || !range.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
        {
            throw Fail(path, allowCount ? "must be an object with type 'time' or 'count'." : "must be an object with type 'time'.");
        }

        var kind = type.GetString();
        var members = kind switch
        {
            "time" => new Dictionary<string, bool> { ["type"] = true, ["duration"] = true, ["resolution"] = false },
            "count" when allowCount => new Dictionary<string, bool> { ["type"] = true, ["count"] = true },
            _ => throw Fail($"{path}.type", allowCount ? "must be 'time' or 'count'." : "must be 'time'."),
        };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in range.EnumerateObject())
        {
            var memberPath = $"{path}.{Shorten(member.Name)}";
            if (!members.ContainsKey(member.Name) || !seen.Add(member.Name))
            {
                throw Fail(memberPath, $"is not a member of a {kind} range, or is given twice.");
            }

            switch (member.Name)
            {
                case "duration":
                    OneOf(member.Value, memberPath, Durations);
                    break;
                case "resolution":
                    OneOf(member.Value, memberPath, Resolutions);
                    break;
                case "count":
                    if (member.Value.ValueKind != JsonValueKind.Number || !member.Value.TryGetInt32(out var count) || count != QueryCount)
                    {
                        throw Fail(memberPath, $"must be {QueryCount}.");
                    }

                    break;
            }
        }

        foreach (var (name, required) in members)
        {
            if (required && !seen.Contains(name))
            {
                throw Fail($"{path}.{name}", $"is required for a {kind} range.");
            }
        }
    }

    private static void Format(JsonElement format, string path, FrozenDictionary<string, Kind> members)
    {
        if (format.ValueKind != JsonValueKind.Object)
        {
            throw Fail(path, "must be an object.");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in format.EnumerateObject())
        {
            var memberPath = $"{path}.{Shorten(member.Name)}";
            if (!members.TryGetValue(member.Name, out var kind) || !seen.Add(member.Name))
            {
                throw Fail(memberPath, "is not a format member, or is given twice.");
            }

            CheckValue(kind, member.Value, memberPath);
        }
    }

    private static string Text(JsonElement value, string path, int maxLength)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            throw Fail(path, "must be a string.");
        }

        var text = value.GetString()!;
        return text.Length <= maxLength ? text : throw Fail(path, $"takes at most {maxLength} characters.");
    }

    private static List<JsonElement> Array(JsonElement value, string path, int maxItems)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Fail(path, "must be an array.");
        }

        return value.GetArrayLength() <= maxItems ? value.EnumerateArray().ToList() : throw Fail(path, $"holds at most {maxItems} items.");
    }

    private static void Number(JsonElement value, string path, double min, double max)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || number < min || number > max)
        {
            throw Fail(path, $"must be a number between {(min == double.Epsilon ? 0 : min)} and {max}.");
        }
    }

    private static void OneOf(JsonElement value, string path, string[] allowed)
    {
        if (value.ValueKind != JsonValueKind.String || !allowed.Contains(value.GetString(), StringComparer.Ordinal))
        {
            throw Fail(path, $"must be one of {string.Join(", ", allowed)}.");
        }
    }

    private static void Depth(JsonElement value, string path, int depth)
    {
        if (depth > MaxFreeValueDepth)
        {
            throw Fail(path, $"is nested deeper than {MaxFreeValueDepth} levels.");
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var member in value.EnumerateObject())
                {
                    // Read as text, as the answer will: an escaped unpaired surrogate throws here, not when it is written back.
                    _ = member.Name;
                    Depth(member.Value, path, depth + 1);
                }

                break;
            case JsonValueKind.String:
                _ = value.GetString();
                break;
            case JsonValueKind.Array:
                foreach (var item in value.EnumerateArray())
                {
                    Depth(item, path, depth + 1);
                }

                break;
        }
    }

    /// <summary>A member name from the body, cut short so a refusal does not echo a megabyte of it.</summary>
    internal static string Shorten(string name) => name.Length <= 64 ? name : name[..64] + "…";

    internal static DashboardFormatException Fail(string path, string message) => new($"{path} {message}");
}
