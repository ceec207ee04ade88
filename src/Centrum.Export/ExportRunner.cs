using Centrum.Devices;
using Centrum.Events;
using Centrum.Export.Destinations;
using Centrum.Export.Internal;
using Centrum.Storage;
using Centrum.Templates;
using Centrum.Twins;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Centrum.Export;

/// <summary>
/// Runs every enabled export's deliveries on this node: one pipeline per export and destination, started at boot,
/// restarted when a definition changes, woken by the device event stream when its source has new data.
/// </summary>
public sealed class ExportRunner : BackgroundService
{
    private readonly DataExportService _exports;
    private readonly DestinationTypes _types;
    private readonly IDeviceEvents _events;
    private readonly ExportStatusBoard _board;
    private readonly ExportMetrics _metrics;
    private readonly IOptions<ExportOptions> _options;
    private readonly ILoggerFactory _loggers;
    private readonly TimeProvider _time;
    private readonly SourceReader _reader;
    private readonly CursorStore _cursors;
    private readonly Func<DeviceFactsLoader> _facts;
    private readonly SemaphoreSlim _reconcile = new(1, 1);
    private readonly Dictionary<(string App, string Export, string Destination), Running> _running = new();
    private readonly ILogger _logger;
    private CancellationToken _stopping;

    public ExportRunner(
        DataExportService exports, DestinationTypes types, IDeviceEvents events, ExportStatusBoard board, ExportMetrics metrics,
        IOptions<ExportOptions> options, ILoggerFactory loggers, TimeProvider time, IDbContextFactory<CentrumDbContext> contexts,
        Telemetry.TelemetryQueries telemetry, DeviceRegistry registry, DeviceTemplateService templates, TwinService twins)
    {
        _exports = exports;
        _types = types;
        _events = events;
        _board = board;
        _metrics = metrics;
        _options = options;
        _loggers = loggers;
        _time = time;
        _reader = new SourceReader(contexts, telemetry);
        _cursors = new CursorStore(contexts);
        _facts = () => new DeviceFactsLoader(contexts, registry, templates, twins);
        _logger = loggers.CreateLogger<ExportRunner>();
        _exports.Changed += application => _ = ReconcileAsync(application);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        using var subscription = _events.Subscribe();
        foreach (var application in (await _exports.AllExportsAsync(stoppingToken)).Select(e => e.ApplicationId).Distinct())
        {
            await ReconcileAsync(application);
        }

        try
        {
            await foreach (var deviceEvent in subscription.Reader.ReadAllAsync(stoppingToken))
            {
                Wake(deviceEvent);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await _reconcile.WaitAsync(CancellationToken.None);
        try
        {
            foreach (var running in _running.Values)
            {
                await running.StopAsync();
            }

            _running.Clear();
        }
        finally
        {
            _reconcile.Release();
        }
    }

    private void Wake(DeviceEvent deviceEvent)
    {
        lock (_running)
        {
            foreach (var (key, running) in _running)
            {
                if (key.App == deviceEvent.ApplicationId && ExportSources.Concerns(running.Source, deviceEvent.Kind))
                {
                    running.Signal.Set();
                }
            }
        }
    }

    /// <summary>Brings the application's running pipelines in line with its definitions.</summary>
    private async Task ReconcileAsync(string applicationId)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _reconcile.WaitAsync(CancellationToken.None);
        try
        {
            var wanted = new Dictionary<(string, string, string), PipelineSetup>();
            foreach (var export in await _exports.ExportsOfApplicationAsync(applicationId, _stopping))
            {
                foreach (var reference in export.Enabled ? export.Destinations : [])
                {
                    var destination = await _exports.GetDestinationAsync(applicationId, reference.Id, _stopping);
                    if (destination is not null && _types.Find(destination.Type) is { } type)
                    {
                        wanted[(applicationId, export.Id, destination.Id)] = new PipelineSetup(applicationId, export, reference, destination, type);
                    }
                }
            }

            List<((string, string, string) Key, Running Running)> stale;
            lock (_running)
            {
                stale = _running.Where(r => r.Key.App == applicationId && (!wanted.TryGetValue(r.Key, out var setup) || !r.Value.Serves(setup)))
                    .Select(r => (r.Key, r.Value)).ToList();
                foreach (var (key, _) in stale)
                {
                    _running.Remove(key);
                }
            }

            foreach (var (key, running) in stale)
            {
                await running.StopAsync();
                if (!wanted.ContainsKey(key))
                {
                    _board.Remove(key.Item1, key.Item2, key.Item3);
                }
            }

            foreach (var (key, setup) in wanted)
            {
                lock (_running)
                {
                    if (_running.ContainsKey(key))
                    {
                        continue;
                    }

                    _running[key] = Start(setup);
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.ReconcileFailed(_logger, ex, applicationId);
        }
        finally
        {
            _reconcile.Release();
        }
    }

    private Running Start(PipelineSetup setup)
    {
        var signal = new AsyncSignal();
        var cancellation = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
        var state = _board.For(setup.ApplicationId, setup.Export.Id, setup.Destination.Id);
        state.Update(_ => DeliveryState.Starting);
        var pipeline = new ExportPipeline(
            setup, _reader, _facts(), _cursors, signal, _options.Value, _metrics, state, _loggers.CreateLogger<ExportPipeline>(), _time);
        var task = Task.Run(async () =>
        {
            try
            {
                await pipeline.RunAsync(cancellation.Token);
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                Log.PipelineStopped(_logger, ex, setup.Export.Id, setup.Destination.Id);
                state.Update(s => s with { Status = "error", Errors = [new ExportError("stopped", ex.Message)] });
            }
        });
        return new Running(setup, signal, cancellation, task);
    }

    private sealed record Running(PipelineSetup Setup, AsyncSignal Signal, CancellationTokenSource Cancellation, Task Task)
    {
        public string Source => Setup.Export.Source;

        public bool Serves(PipelineSetup setup) => setup.Export.ETag == Setup.Export.ETag && setup.Destination.ETag == Setup.Destination.ETag;

        public async Task StopAsync()
        {
            await Cancellation.CancelAsync();
            await Task;
            Cancellation.Dispose();
        }
    }
}
