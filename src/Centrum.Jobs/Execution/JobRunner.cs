using System.Collections.Concurrent;
using Centrum.Commands;
using Centrum.Devices;
using Centrum.Events;
using Centrum.Groups;
using Centrum.Jobs.Internal;
using Centrum.Organizations;
using Centrum.Storage;
using Centrum.Twins;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Centrum.Jobs.Execution;

/// <summary>
/// Executes the jobs the <see cref="JobService"/> stored. On start, on every <see cref="JobSignals"/> wake and at the
/// poll interval it admits pending jobs of applications with free slots and gives every running job a worker (one per
/// job). The rows are the truth: the runner keeps nothing a restart would lose, and a worker started after a restart
/// takes the job up where its rows say it was.
/// </summary>
public sealed class JobRunner : BackgroundService
{
    /// <summary>Jobs read per look: far more than applications × their running slots on one node.</summary>
    private const int ScanBudget = 1000;

    private static readonly string Pending = JobStates.Name(JobStatus.Pending);

    private readonly IDbContextFactory<CentrumDbContext> _contexts;
    private readonly JobAdmission _admission;
    private readonly JobSignals _signals;
    private readonly IDeviceEvents _events;
    private readonly JobsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<JobRunner> _logger;
    private readonly JobWorkerParts _parts;
    private readonly ConcurrentDictionary<(string Application, string Job), Running> _workers = new();

    public JobRunner(
        IDbContextFactory<CentrumDbContext> contexts,
        JobAdmission admission,
        JobSignals signals,
        IDeviceEvents events,
        DeviceGroupService groups,
        DeviceRegistry devices,
        ModuleRegistry modules,
        DeploymentManifests manifests,
        IOrganizationCatalog organizations,
        PropertyService properties,
        TwinService twins,
        CommandService commands,
        JobsMetrics metrics,
        IOptions<JobsOptions> options,
        TimeProvider time,
        ILogger<JobRunner> logger)
    {
        _contexts = contexts;
        _admission = admission;
        _signals = signals;
        _events = events;
        _options = options.Value;
        _time = time;
        _logger = logger;
        var rows = new JobRows(contexts, time);
        _parts = new JobWorkerParts(
            rows, new JobTargets(contexts, groups, devices, time), new DeviceActions(properties, twins, commands, devices, modules, manifests, rows, time),
            admission, twins, devices, organizations, metrics, _options, time, logger);
    }

    /// <summary>Jobs that have a worker on this node now.</summary>
    public int Working => _workers.Count;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = _events.Subscribe();
        var pump = PumpAsync(subscription, stoppingToken);
        _signals.Changed += OnChanged;
        Task<bool>? wake = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await ScanAsync(stoppingToken);
                wake ??= WaitForWakeAsync(stoppingToken);
                await Task.WhenAny(wake, Task.Delay(_options.PollInterval, _time, stoppingToken));
                if (wake.IsCompleted)
                {
                    wake = null;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
        finally
        {
            _signals.Changed -= OnChanged;
            // Workers end with the host's token: devices in flight stay running in their rows, for the next start.
            await Task.WhenAll(_workers.Values.Select(w => w.Task));
            subscription.Dispose();
            await pump;
        }
    }

    private async Task<bool> WaitForWakeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _signals.WaitAsync(cancellationToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Admits pending jobs and makes sure every running job has its worker.</summary>
    private async Task ScanAsync(CancellationToken cancellationToken)
    {
        try
        {
            List<string> waiting;
            List<(string ApplicationId, string Id)> running;
            await using (var db = await _contexts.CreateDbContextAsync(cancellationToken))
            {
                waiting = await db.Jobs.AsNoTracking().Where(j => j.Status == Pending).Select(j => j.ApplicationId).Distinct().OrderBy(a => a).Take(ScanBudget).ToListAsync(cancellationToken);
            }

            foreach (var application in waiting)
            {
                await _admission.AdmitAsync(application, cancellationToken);
            }

            await using (var db = await _contexts.CreateDbContextAsync(cancellationToken))
            {
                running = (await db.Jobs.AsNoTracking().Where(j => j.Status == JobRows.RunningJob)
                    .OrderBy(j => j.CreatedTicks).Take(ScanBudget).Select(j => new { j.ApplicationId, j.Id }).ToListAsync(cancellationToken))
                    .Select(j => (j.ApplicationId, j.Id)).ToList();
            }

            foreach (var key in running)
            {
                if (!_workers.ContainsKey(key))
                {
                    Start(key, cancellationToken);
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.ScanFailed(_logger, ex);
        }
    }

    private void Start((string Application, string Job) key, CancellationToken cancellationToken)
    {
        var worker = new JobWorker(key.Application, key.Job, _parts);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var task = RunWorkerAsync(worker, key, started.Task, cancellationToken);
        _workers[key] = new Running(worker, task);
        started.SetResult();
    }

    private async Task RunWorkerAsync(JobWorker worker, (string Application, string Job) key, Task registered, CancellationToken cancellationToken)
    {
        await registered;
        await Task.Yield();
        try
        {
            var status = await worker.RunAsync(cancellationToken);
            Log.WorkerEnded(_logger, key.Application, key.Job, status);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // The host is stopping (whatever the interrupted call threw); the rows say where the job stands.
        }
        catch (Exception ex)
        {
            Log.WorkerFailed(_logger, key.Application, key.Job, ex);
        }
        finally
        {
            _workers.TryRemove(key, out _);
            worker.Dispose();
        }

        if (!cancellationToken.IsCancellationRequested)
        {
            // A job that was resumed while this worker finished its devices in flight gets its next worker now.
            _signals.Wake();
        }
    }

    private void OnChanged(string applicationId, string jobId)
    {
        if (_workers.TryGetValue((applicationId, jobId), out var running))
        {
            _ = running.Worker.ChangedAsync(CancellationToken.None).ContinueWith(
                t => Log.ScanFailed(_logger, t.Exception!), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    /// <summary>Device events wake the workers waiting on those devices: a reported acknowledgement, a connection.</summary>
    private async Task PumpAsync(DeviceEventSubscription subscription, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var e in subscription.Reader.ReadAllAsync(cancellationToken))
            {
                if (e.Kind is not (DeviceEventKind.ReportedPropertiesChanged or DeviceEventKind.Connected))
                {
                    continue;
                }

                foreach (var (key, running) in _workers)
                {
                    if (!string.Equals(key.Application, e.ApplicationId, StringComparison.Ordinal))
                    {
                        continue;
                    }

                    if (e.Kind == DeviceEventKind.ReportedPropertiesChanged)
                    {
                        running.Worker.Reported(e.DeviceId);
                    }
                    else
                    {
                        running.Worker.Connected(e.DeviceId);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The host is stopping.
        }
    }

    private sealed record Running(JobWorker Worker, Task Task);
}
