using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Commands;
using Centrum.Telemetry;
using Centrum.Templates.Views;
using Centrum.Web.Devices;
using Microsoft.AspNetCore.Components;
using Centrum.Web.Authorization;
using MudBlazor;

namespace Centrum.Web.Pages.Devices;

/// <summary>
/// A device's page, generated from its template as IoT Central's default views are. Everything it reads and does goes
/// through <see cref="DeviceViewService"/> with the signed-in person's reach; the overview's charts grow from the
/// device's live feed without a reload.
/// </summary>
public sealed partial class DevicePage : ComponentBase
{
    private static readonly string[] Tabs = ["Overview", "Properties", "Commands", "Raw data", "About"];

    /// <summary>Body bytes the raw data tab shows of one message; the rest is cut (a message may hold 256 KB).</summary>
    private const int MaxBodyChars = 2048;

    private readonly CancellationTokenSource _closed = new();
    private readonly Dictionary<string, LiveChart> _charts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LastKnownValue> _lastKnown = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FormInput> _propertyInputs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _propertyErrors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FormInput> _commandInputs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _commandResults = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<CommandExecution>> _histories = new(StringComparer.Ordinal);
    private ClaimsPrincipal _caller = new();
    private DeviceOverview? _overview;
    private IReadOnlyList<PropertyState> _properties = [];
    private IReadOnlyList<RawMessage> _raw = [];
    private DeviceLiveFeed? _feed;
    private string _tab = "Overview";
    private bool _loading = true;
    private bool _gone;
    private bool _busy;
    private int _renderQueued;
    private bool _connectionShown;
    private Centrum.Devices.DeviceConnectionInfo? _connection;
    private string? _connectionError;

    [Parameter]
    public string DeviceId { get; set; } = "";

    [Inject]
    private DeviceViewService Views { get; set; } = null!;

    [Inject]
    private WebCaller Caller { get; set; } = null!;

    protected override async Task OnInitializedAsync()
    {
        _caller = await Caller.PrincipalAsync();
        var token = _closed.Token;
        var overview = await Views.OverviewAsync(_caller, DeviceId, token);
        _loading = false;
        if (!overview.Succeeded)
        {
            return;
        }

        _overview = overview.Value;
        if (_overview.View is not { } view)
        {
            return;
        }

        foreach (var command in view.Commands)
        {
            if (command.Request is { } request)
            {
                _commandInputs[Key(command.Component, command.Name)] = request.NewInput();
            }
        }

        await LoadPropertiesAsync(view, fillForms: true);
        if (_overview.Actions.ReadData)
        {
            var known = await Views.LastKnownValuesAsync(_caller, DeviceId, view, token);
            foreach (var value in known.Value ?? [])
            {
                _lastKnown[Key(value.View.Component, value.View.Name)] = value;
            }

            // Prerendering runs this too, for a page that is discarded once the circuit starts: only the circuit watches.
            if (!RendererInfo.IsInteractive)
            {
                return;
            }

            var feed = await Views.WatchAsync(_caller, DeviceId, token);
            if (feed.Succeeded)
            {
                _feed = feed.Value;
                _feed.Changed += OnFeedChanged;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _closed.CancelAsync();
        if (_feed is { } feed)
        {
            feed.Changed -= OnFeedChanged;
            await feed.DisposeAsync();
        }

        _closed.Dispose();
    }

    /// <summary>
    /// Called off the circuit's thread whenever the feed has updates. One render is queued at a time and takes
    /// everything waiting then, so a browser that renders slowly gets fewer, larger updates instead of a backlog.
    /// </summary>
    private void OnFeedChanged()
    {
        if (Interlocked.Exchange(ref _renderQueued, 1) == 0)
        {
            _ = InvokeAsync(ApplyFeedAsync);
        }
    }

    private async Task ApplyFeedAsync()
    {
        try
        {
            await ApplyAsync();
        }
        finally
        {
            Volatile.Write(ref _renderQueued, 0);
        }

        // What arrived while this one applied woke nobody (a render was queued then): look again.
        if (_feed is { HasPending: true })
        {
            OnFeedChanged();
        }
    }

    private async Task ApplyAsync()
    {
        if (_feed is not { } feed || _overview?.View is not { } view || _closed.IsCancellationRequested)
        {
            return;
        }

        var update = feed.Take();
        var points = new Dictionary<string, List<(DateTimeOffset Time, double Value)>>(StringComparer.Ordinal);
        foreach (var value in update.Values)
        {
            if (value.ModuleId is not null || view.FindTelemetry(value.Component, value.Name) is not { } declared)
            {
                continue;
            }

            var key = Key(value.Component, value.Name);
            _lastKnown[key] = new LastKnownValue(declared, JsonNode.Parse(value.Value.GetRawText()), value.Timestamp);
            if (declared.Value.IsNumeric && value.Value.ValueKind == JsonValueKind.Number)
            {
                if (!points.TryGetValue(key, out var series))
                {
                    points[key] = series = [];
                }

                series.Add((value.Timestamp, value.Value.GetDouble()));
            }
        }

        if (update.Changes.HasFlag(DeviceChanges.Gone))
        {
            _gone = true;
            StateHasChanged();
            return;
        }

        if (update.Changes.HasFlag(DeviceChanges.Properties))
        {
            await LoadPropertiesAsync(view, fillForms: false);
        }

        if (update.Changes.HasFlag(DeviceChanges.Commands) && _tab == "Commands")
        {
            await LoadHistoriesAsync(view);
        }

        if (update.Changes.HasFlag(DeviceChanges.Telemetry) && _tab == "Raw data")
        {
            await LoadRawAsync();
        }

        if (update.Changes.HasFlag(DeviceChanges.Connection) || update.Changes.HasFlag(DeviceChanges.Device))
        {
            var overview = await Views.OverviewAsync(_caller, DeviceId, _closed.Token);
            _overview = overview.Value ?? _overview;
            _gone = !overview.Succeeded;
        }

        StateHasChanged();
        foreach (var (key, series) in points)
        {
            if (_charts.TryGetValue(key, out var chart))
            {
                await chart.AppendAsync(series);
            }
        }
    }

    private async Task OpenTabAsync(string tab)
    {
        _tab = tab;
        if (_overview?.View is { } view && tab == "Commands")
        {
            await LoadHistoriesAsync(view);
        }
        else if (tab == "Raw data" && _overview?.Actions.ReadData == true)
        {
            await LoadRawAsync();
        }
    }

    private async Task LoadPropertiesAsync(DeviceView view, bool fillForms)
    {
        var read = await Views.PropertiesAsync(_caller, DeviceId, view, _closed.Token);
        if (!read.Succeeded)
        {
            _gone = read.Problem.Kind == Outcomes.ProblemKind.NotFound;
            return;
        }

        _properties = read.Value;
        foreach (var state in _properties.Where(s => s.View.IsEditable))
        {
            var key = Key(state.View.Component, state.View.Name);
            if (fillForms || !_propertyInputs.ContainsKey(key))
            {
                var input = state.View.Value.NewInput();
                input.Fill(state.DesiredValue ?? state.Value);
                _propertyInputs[key] = input;
            }
        }
    }

    private async Task LoadHistoriesAsync(DeviceView view)
    {
        foreach (var command in view.Commands)
        {
            var history = await Views.HistoryAsync(_caller, DeviceId, command, _closed.Token);
            _histories[Key(command.Component, command.Name)] = history.Value ?? [];
        }
    }

    private async Task LoadRawAsync()
    {
        var raw = await Views.RawDataAsync(_caller, DeviceId, _closed.Token);
        _raw = raw.Value ?? [];
    }

    private async Task SavePropertyAsync(PropertyView property, FormInput input)
    {
        var key = Key(property.Component, property.Name);
        _propertyErrors.Remove(key);
        var value = input.Required();
        if (!value.Succeeded)
        {
            _propertyErrors[key] = value.Problem.Message;
            return;
        }

        _busy = true;
        try
        {
            var written = await Views.WritePropertyAsync(_caller, DeviceId, property, value.Value, _closed.Token);
            if (!written.Succeeded)
            {
                _propertyErrors[key] = written.Problem.Message;
                return;
            }

            if (_overview?.View is { } view)
            {
                await LoadPropertiesAsync(view, fillForms: false);
            }
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task RunCommandAsync(CommandView command)
    {
        var key = Key(command.Component, command.Name);
        JsonNode? request = null;
        if (_commandInputs.TryGetValue(key, out var input))
        {
            var entered = input.Required();
            if (!entered.Succeeded)
            {
                _commandResults[key] = entered.Problem.Message;
                return;
            }

            request = entered.Value;
        }

        _busy = true;
        _commandResults[key] = "Running…";
        try
        {
            var run = await Views.RunCommandAsync(_caller, DeviceId, command, request, _closed.Token);
            _commandResults[key] = run.Succeeded
                ? $"{run.Value.ResponseCode?.ToString(CultureInfo.InvariantCulture) ?? "no answer"} {run.Value.Response?.ToJsonString() ?? ""}"
                : run.Problem.Message;
            if (_overview?.View is { } view)
            {
                await LoadHistoriesAsync(view);
            }
        }
        finally
        {
            _busy = false;
        }
    }

    /// <summary>Shows or hides the Connect details; the keys are read when shown, through the service with the caller's reach.</summary>
    private async Task ToggleConnectionAsync()
    {
        _connectionShown = !_connectionShown;
        if (!_connectionShown)
        {
            _connection = null;
            return;
        }

        var read = await Views.ConnectionAsync(_caller, DeviceId, _closed.Token);
        _connection = read.Value;
        _connectionError = read.Problem?.Message;
    }

    private static string Key(string? component, string name) => component is null ? name : $"{component}.{name}";

    private static string Title(string? component, string displayName) => component is null ? displayName : $"{component} / {displayName}";

    private static string StatusText(PropertyState state) => state.Status switch
    {
        PropertyStatus.Pending => $"Pending: {state.DesiredValue?.ToJsonString()} (version {state.DesiredVersion})",
        PropertyStatus.Accepted => "Accepted",
        PropertyStatus.Failed => $"Failed: {state.AckCode} {state.AckDescription}",
        PropertyStatus.Saved => "Saved",
        PropertyStatus.Reported => "Reported",
        _ => "Not set",
    };

    /// <summary>Color of a property's state chip: pending amber until acknowledged, accepted green, failed red.</summary>
    private static Color StatusColor(PropertyStatus status) => status switch
    {
        PropertyStatus.Pending => Color.Warning,
        PropertyStatus.Accepted => Color.Success,
        PropertyStatus.Failed => Color.Error,
        PropertyStatus.Reported or PropertyStatus.Saved => Color.Info,
        _ => Color.Default,
    };

    private static string AccessText(PropertyAccess access) => access switch
    {
        PropertyAccess.Writable => "Writable",
        PropertyAccess.Cloud => "Cloud property",
        _ => "Read-only",
    };

    private static string Display(JsonNode? value) => ValueText.Of(value);

    /// <summary>Times are shown in UTC: the server renders the page and does not know the browser's time zone.</summary>
    private static string When(DateTimeOffset? time) =>
        time is { } at ? at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC" : "";

    /// <summary>A value card's time, short enough for one line of a card six to a row ("Nov 28 10:07:43 UTC").</summary>
    private static string Short(DateTimeOffset? time) =>
        time is { } at ? at.UtcDateTime.ToString("MMM d HH:mm:ss", CultureInfo.InvariantCulture) + " UTC" : "";

    private static string Body(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, MaxBodyChars * 4));
        return text.Length > MaxBodyChars ? text[..MaxBodyChars] + "…" : text;
    }
}
