using System.Collections.Concurrent;
using Centrum.Events;
using Centrum.Storage;
using Centrum.Telemetry.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Centrum.Telemetry;

/// <summary>
/// The one way in to the time-series store for writes: the gateway submits, and awaits the returned task before
/// acknowledging. Each application has its own database and writer, opened on first use.
/// </summary>
public sealed class TelemetryIngest : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<ApplicationTelemetryStore>> _stores = new(StringComparer.Ordinal);
    private readonly StorageOptions _storage;
    private readonly TelemetryOptions _options;
    private readonly TelemetryMetrics _metrics;
    private readonly ILogger<TelemetryIngest> _logger;
    private readonly IDeviceEvents _events;

    private readonly ITelemetryModel? _model;
    private readonly TimeProvider _time;

    public TelemetryIngest(
        IOptions<StorageOptions> storage, IOptions<TelemetryOptions> options, TelemetryMetrics metrics, IDeviceEvents events, ILogger<TelemetryIngest> logger,
        ITelemetryModel? model = null, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _events = events;
        _model = model;
        _storage = storage.Value;
        _options = options.Value;
        _metrics = metrics;
        _logger = logger;
        metrics.QueueDepth = () => _stores.Values.Where(s => s.IsValueCreated).Sum(s => (long)s.Value.QueueDepth);
    }

    /// <summary>
    /// Queues a message. The queue is full when it holds <see cref="TelemetryOptions.QueueCapacity"/> messages or
    /// <see cref="TelemetryOptions.QueueBytes"/> bytes. With <paramref name="waitForRoom"/> a full queue delays the caller (QoS 1 back-pressure)
    /// until <see cref="TelemetryOptions.QueueFullTimeout"/>, then throws <see cref="TelemetryStoreException"/>;
    /// without, a full queue drops the message and returns null (QoS 0).
    /// </summary>
    /// <returns>A task that completes once the message is durably stored, or null if it was dropped.</returns>
    public async ValueTask<Task<StoreResult>?> SubmitAsync(TelemetryMessage message, bool waitForRoom, CancellationToken cancellationToken)
    {
        var store = Store(message.ApplicationId);
        var declaration = _model is null ? null : await _model.ForDeviceAsync(message.ApplicationId, message.DeviceId, message.ModuleId, cancellationToken);
        var pending = new PendingMessage(message, declaration);
        if (store.TryEnqueue(pending))
        {
            return pending.Task;
        }

        if (!waitForRoom)
        {
            _metrics.Dropped(message.ApplicationId);
            Log.Dropped(_logger, message.ApplicationId);
            return null;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.QueueFullTimeout);
        try
        {
            await store.EnqueueAsync(pending, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TelemetryStoreException($"The write queue stayed full for {_options.QueueFullTimeout}.");
        }

        return pending.Task;
    }

    internal TelemetryOptions Options => _options;

    internal ApplicationTelemetryStore Store(string applicationId)
    {
        var lazy = _stores.GetOrAdd(applicationId, id => new Lazy<ApplicationTelemetryStore>(() =>
        {
            var store = ApplicationTelemetryStore.Open(id, _storage.ApplicationFolder(id), _options, _metrics, _events, _logger, _time);
            Log.StoreOpened(_logger, id, store.LastSequence);
            return store;
        }));
        try
        {
            return lazy.Value;
        }
        catch
        {
            // A store that failed to open (the file locked by another process, a full disk) is tried again next time.
            _stores.TryRemove(new KeyValuePair<string, Lazy<ApplicationTelemetryStore>>(applicationId, lazy));
            throw;
        }
    }

    /// <summary>Closes an application's store (what is queued is written first) and deletes its telemetry: the application is gone.</summary>
    public async Task DropAsync(string applicationId)
    {
        if (_stores.TryRemove(applicationId, out var store) && store.IsValueCreated)
        {
            await store.Value.DisposeAsync();
        }

        var folder = _storage.ApplicationFolder(applicationId);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var store in _stores.Values.Where(s => s.IsValueCreated))
        {
            await store.Value.DisposeAsync();
        }
    }
}
