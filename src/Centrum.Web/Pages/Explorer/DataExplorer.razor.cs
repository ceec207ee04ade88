using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Centrum.Groups;
using Centrum.Listing;
using Centrum.Outcomes;
using Centrum.Telemetry;
using Centrum.Telemetry.Query;
using Centrum.Templates;
using Centrum.Templates.Dtdl;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace Centrum.Web.Pages.Explorer;

/// <summary>
/// The data explorer: a form that writes a query in IoT Central's query language, run through the query service REST's
/// <c>POST /query</c> runs, over the template's devices within the caller's reach for <see cref="ExplorerPagePermissions.Run"/>
/// (narrowed to a device group's members when one is chosen). Results show as a table, a page at a time, or a chart,
/// and download as CSV; the service's refusals show in the page as its message.
/// </summary>
public sealed partial class DataExplorer : IDisposable
{
    private const string Explicit = "explicit";

    /// <summary>Rows on one table page: a screen's worth; the whole result (at most the service's row cap) stays in the circuit.</summary>
    private const int PageSize = 20;

    /// <summary>Templates and groups read per call: the device template list's and the groups area's largest page (IoT Central's maxpagesize, 100).</summary>
    private const int ListPageSize = DeviceGroupService.MaxPageSize;

    /// <summary>
    /// List pages the form reads at most, of templates and of groups: 1,000 entries each, the device groups an
    /// application may have (IoT Central "Quotas and limits"), which bounds the form's work for any application.
    /// </summary>
    private const int MaxListPages = DeviceGroupService.MaxGroups / ListPageSize;

    /// <summary>
    /// Group members read at most (a hundred member pages): the devices one query's temporary device table holds from a
    /// group. A larger group is refused with a message rather than read without end.
    /// </summary>
    private const int MaxGroupDevices = 10_000;

    /// <summary>Cancelled when the page goes away, so a long query stops with it instead of running out its time limit.</summary>
    private readonly CancellationTokenSource _closed = new();
    private readonly List<FieldChoice> _fields = [];
    private IReadOnlyList<DeviceTemplate> _templates = [];
    private IReadOnlyList<DeviceGroup> _groups = [];
    private HashSet<string>? _groupTemplates;
    private IReadOnlyList<JsonObject> _rows = [];
    private IReadOnlyList<string> _columns = [];
    private IReadOnlyList<ChartSeries> _series = [];
    private string _applicationId = "";
    private string _groupId = "";
    private string _templateId = "";
    private string _window = "PT1H";
    private string _range = "P1D";
    private string? _from;
    private string? _to;
    private int? _top;
    private string? _error;
    private bool _mayChooseTemplate;
    private bool _mayChooseGroup;
    private bool _busy;
    private bool _ran;
    private int _page;
    private int _cap;
    private View _view = View.Table;

    private enum View
    {
        Table,
        Chart,
    }

    [Inject]
    private IJSRuntime JS { get; set; } = default!;

    private int Pages => Math.Max(1, (_rows.Count + PageSize - 1) / PageSize);

    protected override async Task OnInitializedAsync()
    {
        _applicationId = await Caller.ApplicationIdAsync() ?? "";
        _cap = Limits.Value.MaxRows;
        _mayChooseTemplate = await Caller.HoldsAsync(ExplorerPagePermissions.ChooseTemplate);
        if (_mayChooseTemplate)
        {
            var templates = new List<DeviceTemplate>();
            string? after = null;
            for (var page = 0; page < MaxListPages; page++)
            {
                (var found, after) = await Templates.ListAsync(_applicationId, after, ListPageSize, CancellationToken.None);
                templates.AddRange(found);
                if (after is null)
                {
                    break;
                }
            }

            _templates = templates;
        }
        else
        {
            _error = "You may not read device templates, so there is no template to query.";
        }

        _mayChooseGroup = await Caller.HoldsAsync(ExplorerPagePermissions.ChooseGroup);
        if (_mayChooseGroup)
        {
            var reach = await Caller.ReachAsync(ExplorerPagePermissions.ChooseGroup, CancellationToken.None);
            var groups = new List<DeviceGroup>();
            string? after = null;
            for (var page = 0; page < MaxListPages; page++)
            {
                var found = await Groups.ListAsync(_applicationId, new ListRequest(null, null, after), ListPageSize, reach, CancellationToken.None);
                if (!found.Succeeded)
                {
                    _error = found.Problem.Message;
                    break;
                }

                groups.AddRange(found.Value.Groups);
                if ((after = found.Value.ContinueAfter) is null)
                {
                    break;
                }
            }

            _groups = groups;
        }

        await LoadSavedAsync();
    }

    /// <summary>A group fixes the template when its members share one, and offers only its members' templates otherwise.</summary>
    private async Task GroupChangedAsync()
    {
        _groupTemplates = null;
        _error = null;
        if (string.IsNullOrEmpty(_groupId))
        {
            return;
        }

        var members = await GroupMembersAsync(_groupId);
        if (!members.Succeeded)
        {
            _error = members.Problem.Message;
            return;
        }

        _groupTemplates = members.Value.Where(d => d.Template is not null).Select(d => d.Template!).ToHashSet(StringComparer.Ordinal);
        if (!_groupTemplates.Contains(_templateId))
        {
            _templateId = _groupTemplates.Count == 1 ? _groupTemplates.First() : "";
            await TemplateChangedAsync();
        }
    }

    private async Task TemplateChangedAsync()
    {
        _fields.Clear();
        _error = null;
        if (string.IsNullOrEmpty(_templateId) || _templates.FirstOrDefault(t => t.Id == _templateId) is not { } listed)
        {
            return;
        }

        // The template as it is now, not as the list read it when the page opened.
        var template = await Templates.GetAsync(_applicationId, listed.Id, CancellationToken.None) ?? listed;
        _fields.AddRange(Telemetry(null, template.Model));
        foreach (var component in template.Model.Components.Where(c => c.Schema is not null))
        {
            _fields.AddRange(Telemetry(component.Name, component.Schema!));
        }
    }

    private static IEnumerable<FieldChoice> Telemetry(string? component, DtdlInterface model) =>
        model.Telemetry.Select(t => new FieldChoice(
            component,
            t.Name,
            t.DisplayName?.Default is { } display ? $"{display} ({(component is null ? t.Name : $"{component}.{t.Name}")})" : component is null ? t.Name : $"{component}.{t.Name}",
            t.Schema is DtdlPrimitiveSchema { IsNumeric: true } ? Aggregate.Avg : Aggregate.Count));

    /// <summary>The query the form describes, or null while it names no template or field (or an unreadable time).</summary>
    private string? QueryText()
    {
        var selected = _fields.Where(f => f.Selected).Select(f => new ExplorerField(f.Component, f.Name, f.Aggregate)).ToList();
        if (string.IsNullOrEmpty(_templateId) || selected.Count == 0)
        {
            return null;
        }

        if (_range != Explicit)
        {
            return ExplorerQuery.Compose(_templateId, selected, NullIfEmpty(_window), _range, null, null, _top);
        }

        return Time(_from) is { } from && Time(_to) is { } to
            ? ExplorerQuery.Compose(_templateId, selected, NullIfEmpty(_window), null, from, to, _top)
            : null;
    }

    private async Task RunAsync()
    {
        if (_busy || QueryText() is not { } text)
        {
            return;
        }

        _busy = true;
        _error = null;
        try
        {
            // A circuit can send a click its page once offered: the permission is checked again as it arrives.
            if (!await Caller.HoldsAsync(ExplorerPagePermissions.Run))
            {
                _error = "You may not query device data.";
                return;
            }

            var clock = Stopwatch.StartNew();
            var prepared = await Queries.PrepareAsync(_applicationId, text, CancellationToken.None);
            if (!prepared.Succeeded)
            {
                Refuse(prepared.Problem);
                return;
            }

            var reach = await Caller.ReachAsync(ExplorerPagePermissions.Run, CancellationToken.None);
            IReadOnlyCollection<string> devices = await Registry.IdsByTemplateAsync(_applicationId, prepared.Value.Template, reach, CancellationToken.None);
            if (!string.IsNullOrEmpty(_groupId))
            {
                var members = await GroupMembersAsync(_groupId);
                if (!members.Succeeded)
                {
                    Refuse(members.Problem);
                    return;
                }

                devices = devices.Intersect(members.Value.Select(d => d.Id), StringComparer.Ordinal).ToList();
            }

            // DuckDB.NET runs a statement synchronously inside its async calls: off the circuit's context, the page
            // renders its running state and still answers (leaving it cancels the query) while the query runs.
            var results = await Task.Run(() => Queries.RunAsync(_applicationId, prepared.Value, devices, _closed.Token), CancellationToken.None);
            if (!results.Succeeded)
            {
                Refuse(results.Problem);
                return;
            }

            _rows = results.Value;
            _columns = SavedQueryRunner.Columns(prepared.Value, _rows);
            _series = ChartSeries.From(_columns, _rows);
            _page = 0;
            _ran = true;
            ExplorerLog.Ran(Logger, _applicationId, devices.Count, _rows.Count, clock.ElapsedMilliseconds);
        }
        catch (Exception e) when (_closed.IsCancellationRequested && e is OperationCanceledException or DbException)
        {
            // The page went away while the query ran (DuckDB reports its interruption as its own exception): nobody is
            // left to show it to.
        }
        catch (Exception e) when (e is DbException or TelemetryStoreException)
        {
            // The store failed (a disk, a file): REST would answer 500; the page says so and stays usable.
            ExplorerLog.Failed(Logger, _applicationId, e);
            _error = "The query could not be run because the telemetry store failed; try again, and tell the operator if it keeps failing.";
            _rows = [];
            _ran = false;
        }
        finally
        {
            _busy = false;
        }
    }

    /// <summary>
    /// The members of a group the caller reaches for querying data, after checking again that the caller may read
    /// groups; a group larger than <see cref="MaxGroupDevices"/> is refused.
    /// </summary>
    private async Task<Outcome<IReadOnlyList<Centrum.Devices.Device>>> GroupMembersAsync(string groupId)
    {
        if (!await Caller.HoldsAsync(ExplorerPagePermissions.ChooseGroup))
        {
            return Problem.Forbidden("You may not read device groups.");
        }

        var reach = await Caller.ReachAsync(ExplorerPagePermissions.Run, CancellationToken.None);
        var members = new List<Centrum.Devices.Device>();
        string? after = null;
        do
        {
            var page = await Groups.MembersAsync(_applicationId, groupId, reach, after, ListPageSize, CancellationToken.None);
            if (!page.Succeeded)
            {
                return page.Problem;
            }

            members.AddRange(page.Value.Devices);
            after = page.Value.ContinueAfter;
            if (members.Count > MaxGroupDevices)
            {
                return Problem.Invalid($"The group has more than {MaxGroupDevices:N0} devices; query its template or a smaller group.");
            }
        }
        while (after is not null);

        return members;
    }

    private void Refuse(Problem problem)
    {
        _error = problem.Message;
        _rows = [];
        _ran = false;
        ExplorerLog.Refused(Logger, _applicationId, problem.Code);
    }

    /// <summary>The whole result as a CSV file, handed to the browser as a download (it is at most the service's row cap).</summary>
    private async Task DownloadAsync()
    {
        if (_rows.Count == 0)
        {
            return;
        }

        var name = "query-" + DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + ".csv";
        try
        {
            await using var module = await JS.InvokeAsync<IJSObjectReference>("import", "./" + Assets["_content/Centrum.Web/explorer.js"]);
            await module.InvokeVoidAsync("download", name, ExplorerCsv.Write(_columns, _rows));
        }
        catch (JSDisconnectedException)
        {
            // The page went away: there is no browser to save the file in.
        }
    }

    private static DateTimeOffset? Time(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    public void Dispose()
    {
        _closed.Cancel();
        _closed.Dispose();
    }

    private sealed class FieldChoice(string? component, string name, string title, Aggregate aggregate)
    {
        public string? Component { get; } = component;

        public string Name { get; } = name;

        public string Title { get; } = title;

        public string Path => Component is null ? Name : $"{Component}.{Name}";

        public bool Selected { get; set; }

        public Aggregate Aggregate { get; set; } = aggregate;
    }
}
