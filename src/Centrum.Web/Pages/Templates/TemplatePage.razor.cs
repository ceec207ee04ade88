using System.Globalization;
using System.Text.Json;
using Centrum.Devices;
using Centrum.Jobs;
using Centrum.Templates;
using Centrum.Templates.Views;
using Centrum.Web.Authorization;
using Microsoft.AspNetCore.Components;

namespace Centrum.Web.Pages.Templates;

/// <summary>
/// A device template: its model browsed by component and capability, its raw JSON, the devices using it (within the
/// caller's reach for the device list), deleting it, and migrating its devices to another template through a job.
/// Each action is offered to a caller holding the permission REST requires for it (<see cref="TemplatePagePermissions"/>)
/// and is made with that caller's reach, so a forged call from the circuit is refused as REST would refuse it.
/// </summary>
public sealed partial class TemplatePage : ComponentBase, IAsyncDisposable
{
    /// <summary>Devices listed on one page of the template's devices.</summary>
    private const int DevicePageSize = 20;

    /// <summary>
    /// Templates offered as a migration target, read a page at a time: an application has tens of templates (one per
    /// device model and version), and the choice stops here rather than reading an unbounded list into the page.
    /// </summary>
    private const int MaxTargets = 500;

    /// <summary>How often a running migration job's progress is read again (IoT Central's job page refreshes about as often).</summary>
    private static readonly TimeSpan JobPollInterval = TimeSpan.FromSeconds(1);

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private readonly CancellationTokenSource _closed = new();
    private readonly Stack<string?> _cursors = new();
    private readonly HashSet<string> _selected = new(StringComparer.Ordinal);
    private DeviceTemplate? _template;
    private DeviceView? _view;
    private string _rawJson = "";
    private string _applicationId = "";
    private Actions _actions = new(false, false, false, false);
    private IReadOnlyList<DeviceListItem> _devices = [];
    private DeviceCount? _deviceCount;
    private string? _currentDevices;
    private string? _nextDevices;
    private IReadOnlyList<(string Id, string Name)> _targets = [];
    private string? _target;
    private Job? _job;
    private string? _migrationNote;
    private string? _migrationError;
    private string? _error;
    private bool _loading = true;
    private bool _busy;
    private bool _confirmDelete;
    private bool _deleted;

    [Parameter]
    public string TemplateId { get; set; } = "";

    [Inject]
    private WebCaller Caller { get; set; } = null!;

    [Inject]
    private DeviceTemplateService Templates { get; set; } = null!;

    [Inject]
    private DeviceRegistry Registry { get; set; } = null!;

    [Inject]
    private JobService Jobs { get; set; } = null!;

    /// <summary>What the caller may do here, each as REST decides for the same operation.</summary>
    private sealed record Actions(bool Delete, bool Devices, bool Migrate, bool MigrationProgress);

    protected override async Task OnParametersSetAsync()
    {
        _loading = true;
        _applicationId = await Caller.ApplicationIdAsync() ?? "";
        _template = await Templates.GetAsync(_applicationId, TemplateId, _closed.Token);
        _view = _template is null ? null : DeviceView.From(_template);
        _rawJson = _template is null ? "" : _template.CapabilityModel.ToJsonString(Indented);
        _actions = new Actions(
            await Caller.HoldsAsync(TemplatePagePermissions.Delete),
            await Caller.HoldsAsync(TemplatePagePermissions.Devices),
            await Caller.HoldsAsync(TemplatePagePermissions.Migrate),
            await Caller.HoldsAsync(TemplatePagePermissions.MigrationProgress));
        _cursors.Clear();
        _selected.Clear();
        if (_template is not null)
        {
            await LoadDevicesAsync(null, countAgain: true);
            if (_actions.Migrate)
            {
                _targets = await TargetsAsync();
            }
        }

        _loading = false;
    }

    private string SemanticTypes(string? component, string name) =>
        _template is { } template && DeviceModels.Scope(template.Model, component)?.Find(name) is { } content
            ? string.Join(", ", content.CoTypes.Where(t => t != "Cloud"))
            : "";

    private string CountText() => _deviceCount switch
    {
        null => "",
        { Count: 0 } => "No device within your reach uses this template.",
        { More: true } count => string.Create(CultureInfo.InvariantCulture, $"More than {count.Count} devices use this template."),
        { Count: 1 } => "1 device uses this template.",
        var count => string.Create(CultureInfo.InvariantCulture, $"{count.Count} devices use this template."),
    };

    private async Task LoadDevicesAsync(string? after, bool countAgain)
    {
        if (!_actions.Devices || _template is null)
        {
            return;
        }

        var reach = await Caller.ReachAsync(TemplatePagePermissions.Devices, _closed.Token);
        var query = new DeviceListQuery { Template = _template.Id };
        var page = await Registry.ListAsync(_applicationId, query, after, DevicePageSize, reach, _closed.Token);
        if (!page.Succeeded)
        {
            _error = page.Problem.Message;
            return;
        }

        _devices = page.Value.Devices;
        _currentDevices = after;
        _nextDevices = page.Value.ContinueAfter;
        if (countAgain)
        {
            _deviceCount = (await Registry.CountAsync(_applicationId, query, reach, _closed.Token)).Value;
        }
    }

    private async Task NextDevicesAsync()
    {
        _cursors.Push(_currentDevices);
        await LoadDevicesAsync(_nextDevices, countAgain: false);
    }

    private async Task PreviousDevicesAsync() => await LoadDevicesAsync(_cursors.Pop(), countAgain: false);

    private void Select(string deviceId, bool selected)
    {
        if (selected)
        {
            _selected.Add(deviceId);
        }
        else
        {
            _selected.Remove(deviceId);
        }
    }

    /// <summary>Every other template of the application, by name, up to <see cref="MaxTargets"/>.</summary>
    private async Task<IReadOnlyList<(string Id, string Name)>> TargetsAsync()
    {
        var targets = new List<(string Id, string Name)>();
        string? after = null;
        do
        {
            var (page, next) = await Templates.ListAsync(_applicationId, new Listing.ListRequest(null, "displayName", after), JobService.MaxPageSize, _closed.Token);
            targets.AddRange(page.Where(t => t.Id != TemplateId).Select(t => (t.Id, TemplateLinks.Name(t))));
            after = next;
        }
        while (after is not null && targets.Count < MaxTargets);

        return targets.Take(MaxTargets).ToList();
    }

    private async Task DeleteAsync()
    {
        _busy = true;
        try
        {
            if (!await Caller.HoldsAsync(TemplatePagePermissions.Delete))
            {
                _error = "Your role may not delete device templates.";
                return;
            }

            var deleted = await Templates.DeleteAsync(_applicationId, TemplateId, _closed.Token);
            if (!deleted.Succeeded)
            {
                _error = deleted.Problem.Message;
                _confirmDelete = false;
                return;
            }

            _deleted = true;
            _template = null;
            _view = null;
        }
        finally
        {
            _busy = false;
        }
    }

    /// <summary>
    /// Creates the migration job as REST's <c>PUT /api/jobs/{jobId}</c> does (IoT Central's <c>deviceTemplateMigration</c>
    /// job data), with the caller's reach for it: the devices listed are the selected ones, or all devices within that
    /// reach using this template, up to the most one job lists (<see cref="JobLimits.MaxExplicitDevices"/>).
    /// </summary>
    private async Task MigrateAsync(bool all)
    {
        _busy = true;
        _migrationError = null;
        try
        {
            if (_target is null || !await Caller.HoldsAsync(TemplatePagePermissions.Migrate))
            {
                _migrationError = "Your role may not run jobs.";
                return;
            }

            var reach = await Caller.ReachAsync(TemplatePagePermissions.Migrate, _closed.Token);
            var devices = all ? await Registry.IdsByTemplateAsync(_applicationId, TemplateId, reach, _closed.Token) : _selected.Order(StringComparer.Ordinal).ToList();
            if (devices.Count == 0)
            {
                _migrationError = "No device within your reach uses this template.";
                return;
            }

            var listed = devices.Take(JobLimits.MaxExplicitDevices).ToList();
            var jobId = "migrate-" + Guid.NewGuid().ToString("N");
            var definition = new JobDefinition(
                $"Migrate to {_target}", $"Devices of template {TemplateId} to template {_target}", Group: null, Devices: listed,
                Data: [new JobData(JobDataKind.DeviceTemplateMigration, Template: _target)],
                Organizations: await OwnerAsync(listed[0], reach));
            var created = await Jobs.CreateAsync(_applicationId, jobId, definition, reach, _closed.Token);
            if (!created.Succeeded)
            {
                _migrationError = created.Problem.Message;
                return;
            }

            _job = created.Value;
            _migrationNote = listed.Count < devices.Count
                ? string.Create(CultureInfo.InvariantCulture, $"The job moves the first {listed.Count} of {devices.Count} devices, the most one job lists; migrate again for the rest.")
                : null;
            _selected.Clear();
        }
        finally
        {
            _busy = false;
        }

        if (_actions.MigrationProgress && _job is { } job)
        {
            _ = FollowAsync(job.Id);
        }
    }

    /// <summary>
    /// The organization the job belongs to: none for a caller reaching the whole application (the job is the
    /// application's, as REST's jobs without <c>organizations</c>); for a caller limited to organizations, one of them
    /// the first device belongs to, since a limited caller may not hand a job to the whole application
    /// (<see cref="Organizations.OrganizationReach.MayPlaceIn"/>) and IoT Central gives a job one organization at most.
    /// </summary>
    private async Task<IReadOnlyList<string>?> OwnerAsync(string firstDevice, Organizations.OrganizationReach reach)
    {
        if (reach.IsWholeApplication)
        {
            return null;
        }

        var device = await Registry.FindAsync(_applicationId, firstDevice, reach, _closed.Token);
        return device.Succeeded && device.Value.Organizations.Order(StringComparer.Ordinal).FirstOrDefault(o => reach.Organizations!.Contains(o)) is { } owner
            ? [owner]
            : null;
    }

    /// <summary>Reads the job again until it ends (or the page closes), then the devices, which have moved.</summary>
    private async Task FollowAsync(string jobId)
    {
        // Taken once: the page's source is disposed with the page, its token stays cancelled.
        var token = _closed.Token;
        try
        {
            using var timer = new PeriodicTimer(JobPollInterval);
            while (await timer.WaitForNextTickAsync(token))
            {
                var reach = await Caller.ReachAsync(TemplatePagePermissions.MigrationProgress, token);
                var read = await Jobs.GetAsync(_applicationId, jobId, reach, token);
                if (!read.Succeeded)
                {
                    return;
                }

                _job = read.Value;
                var ended = read.Value.Status is JobStatus.Complete or JobStatus.Cancelled or JobStatus.Failed or JobStatus.Stopped;
                if (ended)
                {
                    await InvokeAsync(async () => await LoadDevicesAsync(null, countAgain: true));
                }

                await InvokeAsync(StateHasChanged);
                if (ended)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException && token.IsCancellationRequested)
        {
            // The page closed: nobody is left to show the progress to.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _closed.CancelAsync();
        _closed.Dispose();
    }
}
