using Centrum.Dashboards;
using Centrum.Templates.Dtdl;

namespace Centrum.Web.Pages.Dashboards;

/// <summary>
/// The tile types of IoT Central's preview schema (REST API 2022-10-31-preview, the <c>*TileConfiguration</c>
/// definitions, held by <see cref="TileRules"/>) and which configuration members the editor asks for each.
/// </summary>
public static class TileKinds
{
    /// <summary>A new tile's size in cells: IoT Central's editor places a new tile as 2 by 2.</summary>
    public const int NewTileSize = 2;

    public const string Telemetry = "Telemetry";
    public const string Property = "Property";
    public const string Command = "Command";

    /// <summary>Every type, with the name IoT Central's editor gives it.</summary>
    public static IReadOnlyList<(string Kind, string Title)> All { get; } =
    [
        ("lineChart", "Line chart"), ("barChart", "Bar chart"), ("pieChart", "Pie chart"), ("heatMapChart", "Heat map"),
        ("kpi", "KPI"), ("lkv", "Last known value"), ("property", "Property"), ("eventChart", "Event chart"),
        ("eventHistoryChart", "Event history"), ("stateChart", "State chart"), ("stateHistoryChart", "State history"),
        ("mapTelemetry", "Map (telemetry)"), ("mapProperty", "Map (property)"), ("command", "Command"), ("dataExplorer", "Data explorer query"),
        ("deviceCount", "Device count"), ("markdown", "Markdown"), ("label", "Label"), ("image", "Image"), ("externalContent", "External content"),
    ];

    /// <summary>IoT Central's <c>aggregateFunction</c> values (swagger <c>CapabilityAggregateType</c>).</summary>
    public static IReadOnlyList<string> Aggregates { get; } = ["avg", "min", "max", "sum", "count"];

    /// <summary>IoT Central's <c>TimeQueryRangeConfiguration.duration</c> values.</summary>
    public static IReadOnlyList<string> Durations { get; } = ["PT30M", "PT1H", "PT12H", "P1D", "P1W", "P30D"];

    /// <summary>IoT Central's <c>TimeQueryRangeConfiguration.resolution</c> values.</summary>
    public static IReadOnlyList<string> Resolutions { get; } = ["PT1M", "PT5M", "PT10M", "PT30M", "PT1H", "PT12H", "P1D", "P1W"];

    private static readonly HashSet<string> Charts = new(StringComparer.Ordinal) { "lineChart", "barChart", "pieChart", "heatMapChart" };

    private static readonly HashSet<string> TelemetryKinds = new(StringComparer.Ordinal)
    {
        "lineChart", "barChart", "pieChart", "heatMapChart", "kpi", "lkv", "eventChart", "eventHistoryChart", "stateChart", "stateHistoryChart", "mapTelemetry",
    };

    public static string Title(string kind) => All.FirstOrDefault(k => k.Kind == kind).Title ?? kind;

    /// <summary>A group (required by every group tile, optional for a device count and a command).</summary>
    public static bool HasGroup(string kind) => TelemetryKinds.Contains(kind) || kind is "property" or "mapProperty" or "command" or "deviceCount";

    /// <summary>Devices of the group (a command's one device).</summary>
    public static bool HasDevices(string kind) => HasGroup(kind) && kind != "deviceCount";

    /// <summary>What the capability choice lists, or null for a tile without one.</summary>
    public static string? CapabilityKind(string kind) =>
        TelemetryKinds.Contains(kind) ? Telemetry : kind is "property" or "mapProperty" ? Property : kind == "command" ? Command : null;

    public static bool HasAggregate(string kind) => Charts.Contains(kind) || kind == "kpi";

    public static bool HasRange(string kind) => Charts.Contains(kind) || kind is "kpi" or "eventChart" or "eventHistoryChart" or "stateChart" or "stateHistoryChart" or "dataExplorer";

    public static bool HasChartFormat(string kind) => Charts.Contains(kind);

    public static bool HasTextFormat(string kind) => kind is "kpi" or "lkv" or "property" or "eventHistoryChart" or "stateHistoryChart" or "deviceCount";
}

/// <summary>
/// What the templates of a group's devices declare, each capability named as IoT Central's tiles name it: its name at
/// the root, <c>component.name</c> in a component (the preview examples' <c>"componentName.telemetryName"</c>, the
/// query language's path).
/// </summary>
public sealed record TemplateCapabilities(IReadOnlyList<string> Telemetry, IReadOnlyList<string> Properties, IReadOnlyList<string> Commands)
{
    public static TemplateCapabilities Empty { get; } = new([], [], []);

    public static TemplateCapabilities Of(IEnumerable<DtdlInterface> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        var telemetry = new SortedSet<string>(StringComparer.Ordinal);
        var properties = new SortedSet<string>(StringComparer.Ordinal);
        var commands = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var model in models)
        {
            Add(model, null);
            foreach (var component in model.Components.Where(c => c.Schema is not null))
            {
                Add(component.Schema!, component.Name);
            }
        }

        return new([.. telemetry], [.. properties], [.. commands]);

        void Add(DtdlInterface model, string? component)
        {
            string Path(string name) => component is null ? name : $"{component}.{name}";
            telemetry.UnionWith(model.Telemetry.Select(t => Path(t.Name)));
            properties.UnionWith(model.Properties.Select(p => Path(p.Name)));
            commands.UnionWith(model.Commands.Select(c => Path(c.Name)));
        }
    }
}
