using System.Text.Json;
using System.Text.Json.Nodes;

namespace Centrum.Dashboards;

/// <summary>
/// IoT Central's <c>Tile</c> array in JSON, read strictly (unknown members and wrong types refused with their path)
/// and checked against <see cref="TileRules"/>, and written back. Every head reads tiles here, and the area reads its
/// stored tiles here too, so a tile is one shape everywhere.
/// </summary>
public static class TileJson
{
    /// <summary>
    /// Deepest nesting of a tiles document: a tile's deepest member (<c>[i].configuration.capabilities[j].capability</c>)
    /// lies at depth 5, and a command tile's free <c>device</c> value may add <see cref="TileRules.MaxFreeValueDepth"/>.
    /// </summary>
    public const int MaxDepth = 16;

    /// <summary>Bytes of a tiles document: the REST body limit (1 MiB) a dashboard arrives in.</summary>
    public const int MaxBytes = 1024 * 1024;

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = MaxDepth, AllowDuplicateProperties = false };

    /// <summary>Reads a tiles array from its text; throws <see cref="DashboardFormatException"/> for anything IoT Central's schema or a limit refuses.</summary>
    public static IReadOnlyList<Tile> Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (json.Length > MaxBytes)
        {
            throw new DashboardFormatException($"tiles are larger than {MaxBytes} bytes.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, Options);
        }
        catch (JsonException ex)
        {
            throw new DashboardFormatException($"tiles are not valid JSON: {ex.Message}");
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            // An unpaired surrogate, raw or escaped (\ud800), is no Unicode text (RFC 8259 §8.2): the reader throws
            // these instead of a JsonException when it transcodes the text or compares member names.
            throw new DashboardFormatException("tiles are not valid JSON: the text holds an unpaired surrogate.");
        }

        using (document)
        {
            try
            {
                return Read(document.RootElement, "tiles");
            }
            catch (InvalidOperationException)
            {
                throw new DashboardFormatException("tiles are not valid JSON: a tile's name or text holds an unpaired surrogate.");
            }
        }
    }

    /// <summary>Reads a tiles array from a body already parsed (a REST body's <c>tiles</c> member).</summary>
    public static IReadOnlyList<Tile> Read(JsonNode? tiles, string path = "tiles")
    {
        if (tiles is not JsonArray)
        {
            throw TileRules.Fail(path, "must be an array of tiles.");
        }

        return Parse(tiles.ToJsonString());
    }

    private static List<Tile> Read(JsonElement tiles, string path)
    {
        if (tiles.ValueKind != JsonValueKind.Array)
        {
            throw TileRules.Fail(path, "must be an array of tiles.");
        }

        if (tiles.GetArrayLength() > TileRules.MaxTiles)
        {
            throw TileRules.Fail(path, $"holds at most {TileRules.MaxTiles} tiles.");
        }

        var read = new List<Tile>(tiles.GetArrayLength());
        var i = 0;
        foreach (var tile in tiles.EnumerateArray())
        {
            read.Add(ReadTile(tile, $"{path}[{i++}]"));
        }

        return read;
    }

    private static Tile ReadTile(JsonElement tile, string path)
    {
        if (tile.ValueKind != JsonValueKind.Object)
        {
            throw TileRules.Fail(path, "must be a tile object.");
        }

        string id = "", displayName = "";
        int? x = null, y = null, width = null, height = null;
        JsonElement? configuration = null;
        foreach (var member in tile.EnumerateObject())
        {
            var memberPath = $"{path}.{TileRules.Shorten(member.Name)}";
            switch (member.Name)
            {
                case "id":
                    id = member.Value.ValueKind == JsonValueKind.String ? member.Value.GetString()! : throw TileRules.Fail(memberPath, "must be a string.");
                    break;
                case "displayName":
                    displayName = member.Value.ValueKind == JsonValueKind.String ? member.Value.GetString()! : throw TileRules.Fail(memberPath, "must be a string.");
                    break;
                case "x":
                    x = Whole(member.Value, memberPath);
                    break;
                case "y":
                    y = Whole(member.Value, memberPath);
                    break;
                case "width":
                    width = Whole(member.Value, memberPath);
                    break;
                case "height":
                    height = Whole(member.Value, memberPath);
                    break;
                case "configuration":
                    configuration = member.Value.Clone();
                    break;
                default:
                    throw TileRules.Fail(memberPath, "is not a member of a tile.");
            }
        }

        if (!tile.TryGetProperty("displayName", out _))
        {
            throw TileRules.Fail($"{path}.displayName", "is required.");
        }

        var read = new Tile(
            id, displayName,
            x ?? throw TileRules.Fail($"{path}.x", "is required."),
            y ?? throw TileRules.Fail($"{path}.y", "is required."),
            width ?? throw TileRules.Fail($"{path}.width", "is required."),
            height ?? throw TileRules.Fail($"{path}.height", "is required."),
            configuration ?? throw TileRules.Fail($"{path}.configuration", "is required."));
        TileRules.Check(read, path);
        return read;
    }

    /// <summary>
    /// A position or size. The swagger types them as numbers; the grid has whole cells (IoT Central's editor moves
    /// tiles cell by cell and its examples hold whole numbers), so a fraction is refused rather than rounded.
    /// </summary>
    private static int Whole(JsonElement value, string path) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && Math.Abs(number) <= 1_000_000 && number == Math.Floor(number)
            ? (int)number
            : throw TileRules.Fail(path, "must be a whole number.");

    /// <summary>The tiles in IoT Central's shape, each with its id.</summary>
    public static JsonArray ToJson(IEnumerable<Tile> tiles) => new(tiles.Select(t => (JsonNode)ToJson(t)).ToArray());

    public static JsonObject ToJson(Tile tile)
    {
        ArgumentNullException.ThrowIfNull(tile);
        return new JsonObject
        {
            ["id"] = tile.Id,
            ["displayName"] = tile.DisplayName,
            ["configuration"] = JsonNode.Parse(tile.Configuration.GetRawText()),
            ["x"] = tile.X,
            ["y"] = tile.Y,
            ["width"] = tile.Width,
            ["height"] = tile.Height,
        };
    }
}
