using Centrum.Dashboards;
using Centrum.Devices;
using Centrum.Groups;
using Centrum.Identity.Authorization;
using Centrum.Outcomes;
using Centrum.Templates.Query;
using Centrum.Templates;
using Centrum.Web.Authorization;
using Centrum.Web.Devices;
using Microsoft.AspNetCore.Components;

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

    private readonly CancellationTokenSource _closed = new();
    private List<Tile> _tiles = [];
    private Dashboard? _dashboard;
    private TileReader? _reader;
    private string _applicationId = "";
    private string _caller = "";
    private string? _error;
    private bool _mayEdit;
    private bool _editing;

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
    private TemplateQueryService Queries { get; set; } = null!;

    [Inject]
    private DeviceViewService Views { get; set; } = null!;

    [Inject]
    private TimeProvider Time { get; set; } = null!;

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
            _applicationId, Groups, Registry, Templates, Queries, Views, await Caller.PrincipalAsync(), Time,
            await Caller.ReachAsync(DashboardPagePermissions.Members, CancellationToken.None),
            await Caller.ReachAsync(DashboardPagePermissions.ReadData, CancellationToken.None));
        await LoadAsync();
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

    /// <summary>The tile's cells on the CSS grid: IoT Central's x and y count from 0, CSS grid lines from 1.</summary>
    private static string Placement(Tile tile) =>
        FormattableString.Invariant($"grid-column: {tile.X + 1} / span {tile.Width}; grid-row: {tile.Y + 1} / span {tile.Height};");

    private async Task StartEditing()
    {
        if (_dashboard is null || !await MayEditAsync(_dashboard))
        {
            return;
        }

        _editing = true;
    }

    /// <summary>Adds the editor's tile below the lowest tile, so it overlaps none; it is saved with the dashboard.</summary>
    private void AddTile(Tile tile)
    {
        var y = _tiles.Count == 0 ? 0 : Math.Min(TileRules.MaxPosition, _tiles.Max(t => t.Y + t.Height));
        _tiles.Add(tile with { Y = y });
        _error = null;
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
        await DisposeDragAsync();
        await _closed.CancelAsync();
        _closed.Dispose();
    }
}
