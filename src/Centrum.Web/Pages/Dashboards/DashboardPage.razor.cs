using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Dashboards;
using Centrum.Devices;
using Centrum.Groups;
using Centrum.Listing;
using Centrum.Identity.Authorization;
using Centrum.Outcomes;
using Centrum.Telemetry.Query;
using Centrum.Templates;
using Centrum.Web.Authorization;
using Centrum.Web.Pages.Devices;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Logging;

namespace Centrum.Web.Pages.Dashboards;

/// <summary>
/// A dashboard on IoT Central's grid (each tile at its x, y, width and height in cells), its tiles refreshed every
/// <see cref="RefreshPeriod"/> through the areas' services with the viewer's reach (<see cref="TileReader"/>), and an
/// editor that adds, moves, resizes and removes tiles and saves them through <see cref="DashboardService.UpdateAsync"/>
/// guarded by the etag read, so a concurrent change is reported and reloaded rather than overwritten.
/// </summary>
public sealed partial class DashboardPage
{
    /// <summary>
    /// How often tiles read their data again: the simulated devices and IoT Central's own dashboards update every few
    /// seconds; a shorter period multiplies each open page's queries for no visible gain.
    /// </summary>
    public static readonly TimeSpan RefreshPeriod = TimeSpan.FromSeconds(2);

    /// <summary>A new tile's size in cells: IoT Central's editor places a new tile as 2 by 2.</summary>
    private const int NewTileSize = 2;

    /// <summary>The tile kinds the editor adds, the ones this version draws with data.</summary>
    private static readonly (string Kind, string Title)[] EditableKinds =
        [("lineChart", "Line chart"), ("lkv", "Last known value"), ("deviceCount", "Device count"), ("markdown", "Markdown")];

    /// <summary>IoT Central's <c>aggregateFunction</c> values (swagger <c>CapabilityAggregateType</c>).</summary>
    private static readonly string[] Aggregates = ["avg", "min", "max", "sum", "count"];

    /// <summary>IoT Central's <c>TimeQueryRangeConfiguration.duration</c> values.</summary>
    private static readonly string[] Durations = ["PT30M", "PT1H", "PT12H", "P1D", "P1W", "P30D"];

    private readonly Dictionary<string, LiveChart> _charts = [];
    private readonly Dictionary<string, DateTimeOffset> _charted = [];
    private readonly Dictionary<string, TileState> _states = [];
    private readonly CancellationTokenSource _closed = new();
    private List<Tile> _tiles = [];
    private List<DeviceGroup> _groups = [];
    private List<string> _capabilities = [];
    private Dashboard? _dashboard;
    private TileReader? _reader;
    private string _applicationId = "";
    private string _caller = "";
    private string? _error;
    private bool _mayEdit;
    private bool _editing;
    private Task? _refreshing;

    private string _newKind = "lineChart";
    private string _newName = "";
    private string _newGroup = "";
    private string _newCapability = "";
    private string _newAggregate = "avg";
    private string _newDuration = "PT30M";
    private string _newText = "";

    [Parameter]
    public string DashboardId { get; set; } = "";

    [Inject]
    private WebCaller Caller { get; set; } = null!;

    [Inject]
    private DashboardService Dashboards { get; set; } = null!;

    [Inject]
    private DeviceGroupService Groups { get; set; } = null!;

    [Inject]
    private DeviceRegistry Registry { get; set; } = null!;

    [Inject]
    private DeviceTemplateService Templates { get; set; } = null!;

    [Inject]
    private QueryService Queries { get; set; } = null!;

    [Inject]
    private TimeProvider Time { get; set; } = null!;

    [Inject]
    private ILogger<DashboardPage> Logger { get; set; } = null!;

    private sealed class TileState
    {
        public string? Error { get; set; }

        public string? Count { get; set; }

        public IReadOnlyList<TileValue> Values { get; set; } = [];

        /// <summary>The tile's data has been read once (and handed to its charts): what a test or benchmark waits on.</summary>
        public bool Loaded { get; set; }
    }

    protected override async Task OnInitializedAsync()
    {
        _applicationId = await Caller.ApplicationIdAsync() ?? "";
        if ((await Caller.PrincipalAsync()).MemberId() is not { } caller)
        {
            _error = "You cannot be identified as a member of the application.";
            return;
        }

        _caller = caller;
        _reader = new TileReader(
            _applicationId, Groups, Registry, Templates, Queries, Time,
            await Caller.ReachAsync(DashboardPagePermissions.Members, CancellationToken.None),
            await Caller.ReachAsync(DashboardPagePermissions.ReadData, CancellationToken.None));
        await LoadAsync();
    }

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender && _dashboard is not null)
        {
            _refreshing = RefreshLoopAsync();
        }
    }

    private async Task LoadAsync()
    {
        var found = await Dashboards.GetAsync(_applicationId, DashboardId, _caller, await Caller.ReachAsync(DashboardPagePermissions.Read, CancellationToken.None), CancellationToken.None);
        if (!found.Succeeded)
        {
            _error = found.Problem.Message;
            return;
        }

        _dashboard = found.Value;
        _tiles = [.. found.Value.Tiles];
        _mayEdit = await MayEditAsync(found.Value);
    }

    /// <summary>A personal dashboard is edited by its owner (the only one who sees it); an application dashboard by callers holding REST's update permission.</summary>
    private async Task<bool> MayEditAsync(Dashboard dashboard) => dashboard.Personal || await Caller.HoldsAsync(DashboardPagePermissions.Update);

    private async Task RefreshLoopAsync()
    {
        using var timer = new PeriodicTimer(RefreshPeriod, Time);
        try
        {
            do
            {
                await InvokeAsync(RefreshAsync);
            }
            while (await timer.WaitForNextTickAsync(_closed.Token));
        }
        catch (OperationCanceledException)
        {
            // The page closed.
        }
        catch (ObjectDisposedException)
        {
            // The circuit's renderer is gone with the page.
        }
    }

    /// <summary>Reads every tile's data once; runs on the page's dispatcher, so the tiles do not change under it.</summary>
    private async Task RefreshAsync()
    {
        if (_reader is null || _closed.IsCancellationRequested)
        {
            return;
        }

        foreach (var tile in _tiles.ToList())
        {
            if (_closed.IsCancellationRequested)
            {
                return;
            }

            var state = State(tile);
            try
            {
                state.Error = await ReadAsync(tile, state);
            }
            catch (Exception e) when (e is QueryException or QueryLimitException)
            {
                DashboardLog.TileReadFailed(Logger, _applicationId, DashboardId, e.Message);
                state.Error = e.Message;
            }

            state.Loaded = true;
        }

        if (!_closed.IsCancellationRequested)
        {
            StateHasChanged();
        }
    }

    /// <summary>Reads one tile's data into its state; answers the problem to show, or null.</summary>
    private async Task<string?> ReadAsync(Tile tile, TileState state)
    {
        switch (tile.Type)
        {
            case "deviceCount":
                var count = await _reader!.CountAsync(tile, _closed.Token);
                state.Count = count.Succeeded ? count.Value : null;
                return count.Succeeded ? null : count.Problem.Message;
            case "lkv":
                var values = await _reader!.LatestAsync(tile, _closed.Token);
                state.Values = values.Succeeded ? values.Value : [];
                return values.Succeeded ? null : values.Problem.Message;
            case "lineChart":
                var capabilities = TileReader.Capabilities(tile);
                for (var i = 0; i < capabilities.Count; i++)
                {
                    var points = await _reader!.PointsAsync(tile, capabilities[i], _closed.Token);
                    if (!points.Succeeded)
                    {
                        return points.Problem.Message;
                    }

                    await AppendAsync(ChartKey(tile, i), points.Value);
                }

                return null;
            default:
                return null;
        }
    }

    /// <summary>Appends to a chart the points newer than those it shows.</summary>
    private async Task AppendAsync(string key, IReadOnlyList<(DateTimeOffset Time, double Value)> points)
    {
        if (!_charts.TryGetValue(key, out var chart))
        {
            return;
        }

        var since = _charted.GetValueOrDefault(key, DateTimeOffset.MinValue);
        var fresh = points.Where(p => p.Time > since).ToList();
        if (fresh.Count > 0)
        {
            _charted[key] = fresh[^1].Time;
            await chart.AppendAsync(fresh);
        }
    }

    private TileState State(Tile tile)
    {
        if (!_states.TryGetValue(tile.Id, out var state))
        {
            _states[tile.Id] = state = new TileState();
        }

        return state;
    }

    private static string ChartKey(Tile tile, int capability) => $"{tile.Id}-{capability}";

    /// <summary>The tile's cells on the CSS grid: IoT Central's x and y count from 0, CSS grid lines from 1.</summary>
    private static string Placement(Tile tile) =>
        FormattableString.Invariant($"grid-column: {tile.X + 1} / span {tile.Width}; grid-row: {tile.Y + 1} / span {tile.Height};");

    /// <summary>An image tile's picture, when it is an http or https URL: another scheme (javascript:, data:) is not drawn.</summary>
    private static string? ImageUrl(Tile tile) =>
        TileReader.Text(tile, "image") is { } text && Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" ? url.AbsoluteUri : null;

    private async Task StartEditing()
    {
        if (_dashboard is null || !await MayEditAsync(_dashboard))
        {
            return;
        }

        _editing = true;
        var groups = await Groups.ListAsync(
            _applicationId, new ListRequest(null, null, null), DeviceGroupService.MaxPageSize,
            await Caller.ReachAsync(DashboardPagePermissions.ChooseGroup, CancellationToken.None), CancellationToken.None);
        _groups = groups.Succeeded ? [.. groups.Value.Groups] : [];
    }

    /// <summary>The telemetry the chosen group's devices' templates declare, for the capability choice.</summary>
    private async Task GroupChosenAsync(ChangeEventArgs change)
    {
        _newGroup = change.Value as string ?? "";
        _capabilities = [];
        _newCapability = "";
        if (_reader is null || _newGroup.Length == 0)
        {
            return;
        }

        var devices = await _reader.DevicesAsync(Build("lkv", "", new JsonObject { ["group"] = _newGroup, ["devices"] = new JsonArray() }), CancellationToken.None);
        if (!devices.Succeeded)
        {
            _error = devices.Problem.Message;
            return;
        }

        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var templateId in devices.Value.Select(d => d.Template).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            if (await Templates.GetAsync(_applicationId, templateId, CancellationToken.None) is { } template)
            {
                foreach (var telemetry in template.Model.Telemetry)
                {
                    names.Add(telemetry.Name);
                }
            }
        }

        _capabilities = [.. names];
        _newCapability = _capabilities.FirstOrDefault() ?? "";
    }

    private void AddTile()
    {
        var name = string.IsNullOrWhiteSpace(_newName) ? EditableKinds.First(k => k.Kind == _newKind).Title : _newName.Trim();
        var capabilities = new JsonArray(new JsonObject { ["capability"] = _newCapability, ["aggregateFunction"] = _newAggregate });
        var configuration = _newKind switch
        {
            "lineChart" => new JsonObject
            {
                ["group"] = _newGroup, ["devices"] = new JsonArray(), ["capabilities"] = capabilities,
                ["queryRange"] = new JsonObject { ["type"] = "time", ["duration"] = _newDuration, ["resolution"] = "PT1M" },
            },
            "lkv" => new JsonObject { ["group"] = _newGroup, ["devices"] = new JsonArray(), ["capabilities"] = capabilities },
            "deviceCount" => _newGroup.Length > 0 ? new JsonObject { ["group"] = _newGroup } : [],
            _ => new JsonObject { ["description"] = _newText },
        };

        if (_newKind is "lineChart" or "lkv" && (_newGroup.Length == 0 || _newCapability.Length == 0))
        {
            _error = "Choose a device group and a telemetry for this tile.";
            return;
        }

        var tile = Build(_newKind, name, configuration);

        // Placed below the lowest tile, so it overlaps none.
        var y = _tiles.Count == 0 ? 0 : Math.Min(TileRules.MaxPosition, _tiles.Max(t => t.Y + t.Height));
        _tiles.Add(tile with { Y = y });
        _error = null;
        _newName = "";
    }

    private static Tile Build(string kind, string name, JsonObject configuration)
    {
        configuration.Insert(0, "type", kind);
        return new Tile(Guid.NewGuid().ToString("N"), name, 0, 0, NewTileSize, NewTileSize, Configuration(configuration));
    }

    private static JsonElement Configuration(JsonObject configuration)
    {
        using var document = JsonDocument.Parse(configuration.ToJsonString());
        return document.RootElement.Clone();
    }

    private void Move(Tile tile, int dx, int dy) =>
        Change(tile.Id, t => t with { X = Math.Clamp(t.X + dx, 0, TileRules.MaxPosition), Y = Math.Clamp(t.Y + dy, 0, TileRules.MaxPosition) });

    private void Resize(Tile tile, int dw, int dh) =>
        Change(tile.Id, t => t with
        {
            Width = Math.Clamp(t.Width + dw, TileRules.MinSize, TileRules.MaxSize), Height = Math.Clamp(t.Height + dh, TileRules.MinSize, TileRules.MaxSize),
        });

    /// <summary>
    /// Changes the tile as it is now, found by id: a second click can arrive before the page re-rendered, and its
    /// handler still holds the tile as drawn, so changing that copy would lose the first click.
    /// </summary>
    private void Change(string tileId, Func<Tile, Tile> change)
    {
        var index = _tiles.FindIndex(t => t.Id == tileId);
        if (index >= 0)
        {
            _tiles[index] = change(_tiles[index]);
        }
    }

    private void Remove(Tile tile) => _tiles.RemoveAll(t => t.Id == tile.Id);

    private async Task CancelAsync()
    {
        _editing = false;
        _error = null;
        await LoadAsync();
    }

    private async Task SaveAsync()
    {
        // Checked again at the click: a circuit can send an event its page never offered; the area judges the reach too.
        if (_dashboard is null || !await MayEditAsync(_dashboard))
        {
            _error = "You may not edit this dashboard.";
            return;
        }

        var tiles = _tiles.ToList();
        var saved = await Dashboards.UpdateAsync(
            _applicationId, DashboardId, _caller, current => current with { Tiles = tiles }, _dashboard.ETag,
            await Caller.ReachAsync(DashboardPagePermissions.Update, CancellationToken.None), CancellationToken.None);
        if (saved.Succeeded)
        {
            _dashboard = saved.Value;
            _tiles = [.. saved.Value.Tiles];
            _editing = false;
            _error = null;
            return;
        }

        if (saved.Problem.Kind is ProblemKind.PreconditionFailed or ProblemKind.Conflict)
        {
            await LoadAsync();
            _editing = false;
            _error = "Someone else changed this dashboard since you opened it: it shows their version now; make your change again.";
            return;
        }

        _error = saved.Problem.Message;
    }

    public async ValueTask DisposeAsync()
    {
        await _closed.CancelAsync();
        if (_refreshing is not null)
        {
            try
            {
                await _refreshing;
            }
            catch (OperationCanceledException)
            {
                // Closed mid-read.
            }
        }

        _closed.Dispose();
    }
}
