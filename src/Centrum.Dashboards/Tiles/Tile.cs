using System.Text.Json;

namespace Centrum.Dashboards;

/// <summary>
/// One tile of a dashboard (IoT Central's <c>Tile</c>): where it sits on the grid, its size, and its configuration, the
/// JSON object of the tile's type (<c>lineChart</c>, <c>lkv</c>, <c>markdown</c>, …) as IoT Central's preview schema
/// has it, validated by <see cref="TileRules"/> before it is stored. <see cref="Id"/> is empty for a tile not yet written.
/// </summary>
public sealed record Tile(string Id, string DisplayName, int X, int Y, int Width, int Height, JsonElement Configuration)
{
    /// <summary>The configuration's discriminator (<c>configuration.type</c>), or empty when it has none.</summary>
    public string Type =>
        Configuration.ValueKind == JsonValueKind.Object && Configuration.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
            ? type.GetString()!
            : "";
}
