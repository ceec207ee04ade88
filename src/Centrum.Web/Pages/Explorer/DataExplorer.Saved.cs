using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Dashboards;
using Centrum.Identity.Authorization;
using Centrum.Listing;
using Centrum.Organizations;
using Centrum.Outcomes;
using Microsoft.AspNetCore.Components;

namespace Centrum.Web.Pages.Explorer;

/// <summary>
/// The explorer's saved queries: save the form's query (personal, or the application's), open one and save it again in
/// place (with the etag it was opened with, so a change made elsewhere meanwhile is reported, not overwritten) or as a
/// new one, rename, delete, and
/// pin one to a dashboard the caller may change as a <c>dataExplorer</c> tile naming it (IoT Central's
/// <c>DataExplorerTileConfiguration.query</c>). Every action goes through <see cref="SavedQueryService"/> or
/// <see cref="DashboardService"/> with the caller's reach for its permission (<see cref="ExplorerPagePermissions"/>);
/// a personal query or dashboard needs only membership.
/// </summary>
public sealed partial class DataExplorer
{
    private const string Personal = "personal";
    private const string Application = "application";

    /// <summary>A pinned tile's size in cells: room for a chart and a few rows (IoT Central's grid takes 1 to 10).</summary>
    private const int PinnedWidth = 4;

    /// <inheritdoc cref="PinnedWidth"/>
    private const int PinnedHeight = 3;

    /// <summary>Dashboard list pages read for the pin choice: the dashboards an application holds by default (1,000), a page of 100 at a time.</summary>
    private const int MaxDashboardPages = 10;

    /// <summary>The tile range durations (IoT Central's <c>TimeRangeDuration</c>) with the span each covers, shortest first.</summary>
    private static readonly (string Duration, TimeSpan Span)[] TileDurations =
    [
        ("PT30M", TimeSpan.FromMinutes(30)), ("PT1H", TimeSpan.FromHours(1)), ("PT12H", TimeSpan.FromHours(12)),
        ("P1D", TimeSpan.FromDays(1)), ("P1W", TimeSpan.FromDays(7)), ("P30D", TimeSpan.FromDays(30)),
    ];

    private IReadOnlyList<SavedQuery> _saved = [];

    /// <summary>The query the form was opened from or last saved as, with the etag read then: Save writes it again.</summary>
    private SavedQuery? _opened;
    private List<Dashboard> _pinTargets = [];
    private List<string> _placeable = [];
    private string _member = "";
    private string _savedId = "";
    private string _saveName = "";
    private string _saveScope = Personal;
    private string _saveOrganization = "";
    private string _renameTo = "";
    private string _pinDashboard = "";
    private string? _savedMessage;
    private bool _maySaveApplication;
    private bool _mayRenameApplication;
    private bool _mayDeleteApplication;

    [Inject]
    private SavedQueryService SavedQueries { get; set; } = null!;

    [Inject]
    private DashboardService Dashboards { get; set; } = null!;

    private SavedQuery? Chosen => _saved.FirstOrDefault(q => q.Id == _savedId);

    private bool MayRename(SavedQuery query) => query.Personal || _mayRenameApplication;

    private bool MayDelete(SavedQuery query) => query.Personal || _mayDeleteApplication;

    private async Task LoadSavedAsync()
    {
        if ((await Caller.PrincipalAsync()).MemberId() is not { } member)
        {
            return;
        }

        _member = member;
        _maySaveApplication = await Caller.HoldsAsync(ExplorerPagePermissions.SaveApplication);
        _mayRenameApplication = await Caller.HoldsAsync(ExplorerPagePermissions.RenameApplication);
        _mayDeleteApplication = await Caller.HoldsAsync(ExplorerPagePermissions.DeleteApplication);
        if (_maySaveApplication)
        {
            var reach = await Caller.ReachAsync(ExplorerPagePermissions.SaveApplication, CancellationToken.None);
            _placeable = reach.Organizations?.Order(StringComparer.Ordinal).ToList() ?? [];
            _saveOrganization = _placeable.Count > 0 ? _placeable[0] : "";
        }

        await RefreshSavedAsync();
        await RefreshPinTargetsAsync();
    }

    private async Task RefreshSavedAsync()
    {
        _saved = await SavedQueries.ListAsync(_applicationId, _member, await Caller.ReachAsync(ExplorerPagePermissions.ReadSaved, CancellationToken.None), CancellationToken.None);
        if (Chosen is null)
        {
            _savedId = "";
        }
    }

    /// <summary>The dashboards the caller may change: its personal ones and the application's within its reach for updating them.</summary>
    private async Task RefreshPinTargetsAsync()
    {
        var reach = await Caller.ReachAsync(ExplorerPagePermissions.Pin, CancellationToken.None);
        var targets = new List<Dashboard>();
        string? after = null;
        for (var page = 0; page < MaxDashboardPages; page++)
        {
            var found = await Dashboards.ListAsync(_applicationId, _member, new ListRequest(null, null, after), DashboardService.MaxPageSize, reach, CancellationToken.None);
            if (!found.Succeeded)
            {
                break;
            }

            targets.AddRange(found.Value.Dashboards);
            if ((after = found.Value.ContinueAfter) is null)
            {
                break;
            }
        }

        _pinTargets = targets;
        if (_pinTargets.All(d => d.Id != _pinDashboard))
        {
            _pinDashboard = _pinTargets.Count > 0 ? _pinTargets[0].Id : "";
        }
    }

    /// <summary>The form's query as the area keeps it, or null while the form names no template or field.</summary>
    private SavedQueryDefinition? CurrentDefinition()
    {
        var fields = _fields.Where(f => f.Selected).Select(f => new SavedQueryField(f.Component, f.Name, SavedQueryRunner.FromAggregate(f.Aggregate))).ToList();
        if (string.IsNullOrEmpty(_templateId) || fields.Count == 0)
        {
            return null;
        }

        var group = NullIfEmpty(_groupId);
        var window = NullIfEmpty(_window);
        return _range == Explicit
            ? new SavedQueryDefinition(_templateId, group, fields, window, null, Time(_from), Time(_to), _top)
            : new SavedQueryDefinition(_templateId, group, fields, window, _range, null, null, _top);
    }

    /// <summary>Saves the form's query again under the query it was opened from, or as a new one when none was opened.</summary>
    private async Task SaveQueryAsync()
    {
        if (_opened is not { } opened || !MayRename(opened))
        {
            await SaveAsNewAsync();
            return;
        }

        if (CurrentDefinition() is not { } definition)
        {
            _savedMessage = "Choose a template and telemetry first.";
            return;
        }

        var reach = opened.Personal ? OrganizationReachNone : await Caller.ReachAsync(ExplorerPagePermissions.RenameApplication, CancellationToken.None);
        var saved = await SavedQueries.UpdateAsync(_applicationId, opened.Id, _member, definition, opened.ETag, reach, CancellationToken.None);
        if (!saved.Succeeded)
        {
            _savedMessage = saved.Problem.Kind is ProblemKind.PreconditionFailed or ProblemKind.Conflict
                ? $"\"{opened.DisplayName}\" was changed elsewhere since you opened it; open it again, or save yours as a new query."
                : saved.Problem.Message;
            await RefreshSavedAsync();
            return;
        }

        _opened = saved.Value;
        await RefreshSavedAsync();
        _savedId = saved.Value.Id;
        _savedMessage = $"Updated \"{saved.Value.DisplayName}\".";
    }

    /// <summary>Saves the form's query as a new one under the name given; Save then writes that one again.</summary>
    private async Task SaveAsNewAsync()
    {
        if (CurrentDefinition() is not { } definition)
        {
            _savedMessage = "Choose a template and telemetry first.";
            return;
        }

        var personal = _saveScope != Application;
        if (!personal && !await Caller.HoldsAsync(ExplorerPagePermissions.SaveApplication))
        {
            _savedMessage = "You may not save queries for the application; save a personal one.";
            return;
        }

        IReadOnlyList<string> organizations = personal || _saveOrganization.Length == 0 ? [] : [_saveOrganization];
        var saved = await SavedQueries.CreateAsync(
            _applicationId, _member, new SavedQueryWrite(_saveName, definition, personal, organizations),
            personal ? OrganizationReachNone : await Caller.ReachAsync(ExplorerPagePermissions.SaveApplication, CancellationToken.None), CancellationToken.None);
        if (!saved.Succeeded)
        {
            _savedMessage = saved.Problem.Message;
            return;
        }

        _opened = saved.Value;
        await RefreshSavedAsync();
        _savedId = saved.Value.Id;
        _renameTo = saved.Value.DisplayName;
        _saveName = "";
        _savedMessage = $"Saved \"{saved.Value.DisplayName}\".";
    }

    /// <summary>A personal query is written without any permission's reach: the area needs none for it.</summary>
    private static OrganizationReach OrganizationReachNone => OrganizationReach.Within([]);

    private async Task OpenQueryAsync()
    {
        if (Chosen is not { } chosen)
        {
            return;
        }

        // Read again: it may have been renamed or deleted since the list was read.
        var read = await SavedQueries.GetAsync(_applicationId, chosen.Id, _member, await Caller.ReachAsync(ExplorerPagePermissions.ReadSaved, CancellationToken.None), CancellationToken.None);
        if (!read.Succeeded)
        {
            _savedMessage = read.Problem.Message;
            await RefreshSavedAsync();
            return;
        }

        var query = read.Value.Query;
        _groupId = _mayChooseGroup && query.Group is { } group && _groups.Any(g => g.Id == group) ? group : "";
        _groupTemplates = null;
        if (_groupId.Length > 0)
        {
            await GroupChangedAsync();
        }

        if (_templates.All(t => t.Id != query.Template))
        {
            _savedMessage = $"The template of \"{read.Value.DisplayName}\" no longer exists, or you may not read it.";
            return;
        }

        _templateId = query.Template!;
        await TemplateChangedAsync();
        foreach (var field in _fields)
        {
            var saved = query.Fields?.FirstOrDefault(f => f.Component == field.Component && f.Name == field.Name);
            field.Selected = saved is not null;
            if (saved is not null)
            {
                field.Aggregate = SavedQueryRunner.ToAggregate(saved.Aggregate);
            }
        }

        _window = query.Window ?? "";
        _top = query.Top;
        if (query.Duration is { } duration)
        {
            _range = duration;
        }
        else
        {
            _range = Explicit;
            _from = query.From?.UtcDateTime.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'", CultureInfo.InvariantCulture);
            _to = query.To?.UtcDateTime.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'", CultureInfo.InvariantCulture);
        }

        _opened = read.Value;
        _renameTo = read.Value.DisplayName;
        _savedMessage = $"Opened \"{read.Value.DisplayName}\".";
    }

    private async Task RenameQueryAsync()
    {
        if (Chosen is not { } chosen)
        {
            return;
        }

        var reach = chosen.Personal ? OrganizationReachNone : await Caller.ReachAsync(ExplorerPagePermissions.RenameApplication, CancellationToken.None);
        var renamed = await SavedQueries.RenameAsync(_applicationId, chosen.Id, _member, _renameTo, chosen.ETag, reach, CancellationToken.None);
        _savedMessage = renamed.Succeeded ? $"Renamed to \"{renamed.Value.DisplayName}\"." : renamed.Problem.Message;
        if (renamed.Succeeded && _opened?.Id == chosen.Id)
        {
            // Renamed here: the form's query is still the one opened, under its new etag.
            _opened = renamed.Value;
        }

        await RefreshSavedAsync();
    }

    private async Task DeleteQueryAsync()
    {
        if (Chosen is not { } chosen)
        {
            return;
        }

        var reach = chosen.Personal ? OrganizationReachNone : await Caller.ReachAsync(ExplorerPagePermissions.DeleteApplication, CancellationToken.None);
        var deleted = await SavedQueries.DeleteAsync(_applicationId, chosen.Id, _member, reach, CancellationToken.None);
        _savedMessage = deleted.Succeeded ? $"Deleted \"{deleted.Value.DisplayName}\"." : deleted.Problem.Message;
        if (deleted.Succeeded && _opened?.Id == chosen.Id)
        {
            _opened = null;
        }

        await RefreshSavedAsync();
    }

    /// <summary>
    /// Adds a <c>dataExplorer</c> tile naming the chosen query to the chosen dashboard, below its lowest tile, through
    /// the dashboards area with the etag just read: a dashboard changed in between is reported, not overwritten.
    /// </summary>
    private async Task PinQueryAsync()
    {
        if (Chosen is not { } chosen || _pinDashboard.Length == 0)
        {
            _savedMessage = "Choose a saved query and a dashboard.";
            return;
        }

        var reach = await Caller.ReachAsync(ExplorerPagePermissions.Pin, CancellationToken.None);
        var current = await Dashboards.GetAsync(_applicationId, _pinDashboard, _member, reach, CancellationToken.None);
        if (!current.Succeeded)
        {
            _savedMessage = current.Problem.Message;
            await RefreshPinTargetsAsync();
            return;
        }

        var tile = PinnedTile(chosen);
        var pinned = await Dashboards.UpdateAsync(
            _applicationId, _pinDashboard, _member,
            d => d with { Tiles = [.. d.Tiles, tile with { Y = d.Tiles.Count == 0 ? 0 : Math.Min(TileRules.MaxPosition, d.Tiles.Max(t => t.Y + t.Height)) }] },
            current.Value.ETag, reach, CancellationToken.None);
        _savedMessage = pinned.Succeeded
            ? $"Pinned \"{chosen.DisplayName}\" to \"{pinned.Value.DisplayName}\"."
            : pinned.Problem.Kind is ProblemKind.PreconditionFailed or ProblemKind.Conflict
                ? "The dashboard was changed by someone else meanwhile; pin again."
                : pinned.Problem.Message;
    }

    /// <summary>The tile: its range is the query's (a week written as IoT Central's tiles write it), or the shortest tile range covering an absolute one.</summary>
    private static Tile PinnedTile(SavedQuery query)
    {
        var definition = query.Query;
        var duration = definition.Duration switch
        {
            "P7D" => "P1W",
            { } relative => relative,
            null => TileDurations.FirstOrDefault(d => d.Span >= (definition.To ?? DateTimeOffset.UnixEpoch) - (definition.From ?? DateTimeOffset.UnixEpoch)).Duration ?? "P30D",
        };
        var range = new JsonObject { ["type"] = "time", ["duration"] = duration };
        if (definition.Window is { } window)
        {
            range["resolution"] = window;
        }

        var configuration = new JsonObject { ["type"] = "dataExplorer", ["queryRange"] = range, ["query"] = query.Id };
        using var document = JsonDocument.Parse(configuration.ToJsonString());
        return new Tile("", query.DisplayName, 0, 0, PinnedWidth, PinnedHeight, document.RootElement.Clone());
    }
}
