using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Applications;
using Centrum.Devices;
using Centrum.Events;
using Centrum.Listing;
using Centrum.Organizations;
using Centrum.Simulation.Internal;
using Centrum.Templates;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Centrum.Simulation;

/// <summary>
/// Runs every simulated device that should run: simulated, enabled, approved, assigned a template, in an application
/// that is not suspended, within <see cref="SimulationOptions.MaxDevicesPerApplication"/>. It starts them once the
/// server listens, follows the device-event stream (a device created, changed or deleted, a template saved) to start,
/// restart or stop the device concerned, compares everything with the registry every
/// <see cref="SimulationOptions.ReconcileInterval"/>, and stops every client before the host stops.
/// </summary>
public sealed class SimulationSupervisor(
    IApplicationCatalog applications,
    DeviceRegistry registry,
    DeviceTemplateService templates,
    IDeviceEvents events,
    SimulationEndpoint endpoint,
    IOptions<SimulationOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    SimulationTelemetry telemetry,
    ILoggerFactory loggers) : BackgroundService
{
    /// <summary>Registry rows one reconciliation reads per application at most, beyond the budget: the simulated list is filtered by the database, so this only bounds a fleet far over budget.</summary>
    private const int ListPageSize = DeviceRegistry.MaxPageSize;

    /// <summary>
    /// Simulated devices in a TLS handshake and CONNECT at once: they all come from one address, and the gateway admits
    /// 64 pending connections per address by default (<c>MaxPendingConnectionsPerAddress</c>); a quarter leaves room
    /// for real devices behind the same address while a hundred devices still connect within a few seconds.
    /// </summary>
    private const int ConcurrentConnects = 16;

    private readonly SemaphoreSlim _connectGate = new(ConcurrentConnects);
    private readonly ConcurrentDictionary<(string Application, string Device), SimulatedDevice> _running = new();
    private readonly HashSet<string> _warnedOverBudget = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggers.CreateLogger("Centrum.Simulation");
    private readonly SimulationOptions _options = options.Value;

    /// <summary>Whether a client runs for the device (connected or reconnecting).</summary>
    public bool IsRunning(string applicationId, string deviceId) => _running.ContainsKey((applicationId, deviceId));

    /// <summary>The simulated devices running in an application.</summary>
    public int RunningIn(string applicationId) => _running.Keys.Count(k => k.Application == applicationId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Subscribed before the first look at the registry, so no change between the two is missed.
        using var subscription = events.Subscribe();
        if (!await ListeningAsync(stoppingToken))
        {
            return;
        }

        var nextFull = time.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var wait = nextFull - time.GetUtcNow();
                if (wait <= TimeSpan.Zero || !await WaitForEventAsync(subscription, wait, stoppingToken))
                {
                    nextFull = time.GetUtcNow() + _options.ReconcileInterval;
                    await ReconcileAllAsync(stoppingToken);
                    continue;
                }

                await FollowAsync(Drain(subscription), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A failed look at the registry (the store busy or gone for a moment) must not stop the host, which is
                // what an exception leaving a hosted service does: the next comparison settles whatever was missed.
                Log.SupervisionFailed(_logger, ex);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        var stopping = _running.Keys.ToList();
        await Task.WhenAll(stopping.Select(key => StopAsync(key).AsTask()));
    }

    public override void Dispose()
    {
        _connectGate.Dispose();
        base.Dispose();
    }

    /// <summary>Devices dial the server's own listener: they start once the host has started it.</summary>
    private async Task<bool> ListeningAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStarted = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        using var onStopping = stoppingToken.Register(() => started.TrySetCanceled(stoppingToken));
        try
        {
            await started.Task;
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task<bool> WaitForEventAsync(DeviceEventSubscription subscription, TimeSpan wait, CancellationToken stoppingToken)
    {
        using var timer = new CancellationTokenSource(wait, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timer.Token);
        try
        {
            return await subscription.Reader.WaitToReadAsync(linked.Token);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>
    /// The devices the events waiting now concern, each once, and whether their state must be read: a template's change
    /// concerns the running devices that play it. A device whose last event is its creation, not simulated (its
    /// <see cref="DeviceEventKind.Created"/> event carries <c>simulated: true</c> only for a simulated one), is known not to
    /// run without reading it, so creating a fleet of real devices costs the supervisor no read per device.
    /// </summary>
    private Dictionary<(string Application, string Device), bool> Drain(DeviceEventSubscription subscription)
    {
        var concerned = new Dictionary<(string, string), bool>();
        while (subscription.Reader.TryRead(out var e))
        {
            switch (e.Kind)
            {
                case DeviceEventKind.Created when e.ModuleId is null:
                    concerned[(e.ApplicationId, e.DeviceId)] = e.Data?["simulated"] is JsonValue simulated && simulated.GetValueKind() == JsonValueKind.True;
                    break;
                case DeviceEventKind.Updated or DeviceEventKind.Deleted when e.ModuleId is null:
                    concerned[(e.ApplicationId, e.DeviceId)] = true;
                    break;
                case DeviceEventKind.TemplateChanged:
                    var templateId = e.Data?["templateId"]?.GetValue<string>();
                    foreach (var key in _running.Where(r => r.Key.Application == e.ApplicationId && r.Value.TemplateId == templateId).Select(r => r.Key))
                    {
                        concerned[key] = true;
                    }

                    break;
            }
        }

        return concerned;
    }

    private async Task FollowAsync(Dictionary<(string Application, string Device), bool> concerned, CancellationToken stoppingToken)
    {
        foreach (var ((applicationId, deviceId), read) in concerned)
        {
            if (!read && !_running.ContainsKey((applicationId, deviceId)))
            {
                continue;
            }

            var application = await applications.FindByIdAsync(applicationId, stoppingToken);
            var device = read && application is { Suspended: false } ? await registry.GetAsync(applicationId, deviceId, stoppingToken) : null;
            var template = device is not null && ShouldRun(device) ? await templates.GetAsync(applicationId, device.Template!, stoppingToken) : null;
            await SettleAsync(application, deviceId, template);
        }
    }

    /// <summary>Compares every application's simulated devices with the running clients, and settles each difference.</summary>
    private async Task ReconcileAllAsync(CancellationToken stoppingToken)
    {
        var all = await applications.ListAsync(stoppingToken);
        var active = all.Where(a => !a.Suspended).ToDictionary(a => a.Id, StringComparer.Ordinal);
        foreach (var key in _running.Keys.Where(k => !active.ContainsKey(k.Application)).ToList())
        {
            await StopAsync(key);
        }

        foreach (var application in active.Values)
        {
            try
            {
                await ReconcileAsync(application, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.ReconcileFailed(_logger, application.Id, ex);
            }
        }
    }

    private async Task ReconcileAsync(Application application, CancellationToken stoppingToken)
    {
        var wanted = new List<Device>();
        var over = 0;
        string? after = null;
        do
        {
            var page = await registry.ListAsync(application.Id, new ListRequest("simulated eq true", null, after), ListPageSize, OrganizationReach.WholeApplication, stoppingToken);
            foreach (var device in page.Devices.Where(ShouldRun))
            {
                if (wanted.Count < _options.MaxDevicesPerApplication)
                {
                    wanted.Add(device);
                }
                else
                {
                    over++;
                }
            }

            after = page.ContinueAfter;
        }
        while (after is not null && over == 0);

        if (over > 0 && _warnedOverBudget.Add(application.Id))
        {
            Log.OverBudget(_logger, application.Id, _options.MaxDevicesPerApplication, over);
        }

        var ids = wanted.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var key in _running.Keys.Where(k => k.Application == application.Id && !ids.Contains(k.Device)).ToList())
        {
            await StopAsync(key);
        }

        foreach (var device in wanted)
        {
            var template = await templates.GetAsync(application.Id, device.Template!, stoppingToken);
            await SettleAsync(application, device.Id, template);
        }
    }

    /// <summary>
    /// Brings one device to what it should be: running <paramref name="template"/> (null: not running). A client that
    /// plays an older version of the template is restarted, so the device follows a template's change.
    /// </summary>
    private async Task SettleAsync(Application? application, string deviceId, DeviceTemplate? template)
    {
        if (application is null)
        {
            return;
        }

        var key = (application.Id, deviceId);
        if (_running.TryGetValue(key, out var running))
        {
            if (template is not null && running.TemplateId == template.Id && running.TemplateETag == template.ETag)
            {
                return;
            }

            await StopAsync(key);
        }

        if (template is null || application.Suspended)
        {
            return;
        }

        if (RunningIn(application.Id) >= _options.MaxDevicesPerApplication)
        {
            if (_warnedOverBudget.Add(application.Id))
            {
                Log.OverBudget(_logger, application.Id, _options.MaxDevicesPerApplication, 1);
            }

            return;
        }

        var applicationId = application.Id;
        async Task<string?> PrimaryKey(CancellationToken cancellationToken) =>
            (await registry.CredentialsAsync(applicationId, deviceId, OrganizationReach.WholeApplication, cancellationToken)).Value?.PrimaryKey;

        var device = new SimulatedDevice(
            new SimulatedDeviceSpec(application.Id, deviceId, application.HubHostName, template, PrimaryKey),
            endpoint, _connectGate, _options.TelemetryInterval, time, telemetry, _logger);
        _running[key] = device;
        device.Start();
    }

    private async ValueTask StopAsync((string Application, string Device) key)
    {
        if (_running.TryRemove(key, out var device))
        {
            await device.DisposeAsync();
        }
    }

    private static bool ShouldRun(Device device) => device is { Simulated: true, Enabled: true, Approved: true, Template: not null };
}
