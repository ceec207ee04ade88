using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Centrum.Export.Destinations;
using Centrum.Export.Filters;
using Centrum.Export.Jq;
using Microsoft.Extensions.Logging;

namespace Centrum.Export.Internal;

/// <summary>Everything one delivery (an export to one of its destinations) needs; built by the runner.</summary>
internal sealed record PipelineSetup(
    string ApplicationId,
    ExportDefinition Export,
    DestinationReference Reference,
    DestinationDefinition Destination,
    IDestinationType Type);

/// <summary>
/// Delivers one export to one destination, at least once and in order: read a batch of the source's log after the
/// cursor, turn it into export messages (filter, enrichments, transform), hand the batch to the destination, and move
/// the cursor only when the destination acknowledged all of it. Reading and building the next batch runs while the
/// current one is sent (one batch ahead at most). A failed batch is retried with exponential backoff and jitter, for
/// as long as it takes, each retry carrying only what the destination did not accept; the backlog stays in the
/// durable logs meanwhile. The batch doubles while full batches wait, up to <see cref="ExportOptions.MaxBatchSize"/>.
/// </summary>
internal sealed class ExportPipeline(
    PipelineSetup setup,
    SourceReader reader,
    DeviceFactsLoader facts,
    CursorStore cursors,
    AsyncSignal signal,
    ExportOptions options,
    ExportMetrics metrics,
    DeliveryState state,
    ILogger logger,
    TimeProvider time)
{
    private readonly string _app = setup.ApplicationId;
    private readonly string _messageApplicationId = ApplicationGuid.For(setup.ApplicationId).ToString();
    private readonly ExportDefinition _export = setup.Export;
    private readonly string _destination = setup.Destination.Id;
    private ExportError? _deliveryError;
    private ExportError? _backlogError;
    private ExportError? _transformError;
    private ExportError? _gapError;
    private DateTimeOffset _lastRangeCheck;

    /// <summary>
    /// A batch read and built, ready to send: the records it covers (the cursor moves past the last), its messages,
    /// and the batch size it was read with. Without records it says that the log had nothing more when it was read.
    /// </summary>
    private sealed record Prepared(IReadOnlyList<SourceRecord> Records, List<ExportedMessage> Messages, int Limit);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var filter = _export.Filter is null ? null : ExportFilter.Parse(_export.Filter);
        JqProgram? transform;
        try
        {
            transform = setup.Reference.Transform is null ? null : JqProgram.Compile(setup.Reference.Transform);
        }
        catch (JqException ex)
        {
            // Saving checks a transform with the limits compiling enforces, but one stored before a limit existed may
            // exceed it. The destination waits, reporting why, until the export is saved with a transform that loads.
            _transformError = new ExportError("transformFailed", $"The transform cannot run, so nothing is sent to this destination: {ex.Message}");
            Log.TransformInvalid(logger, _export.Id, _destination, ex.Message);
            state.Update(s => s with { Status = "error", Errors = Errors() });
            await Task.Delay(Timeout.InfiniteTimeSpan, time, cancellationToken);
            return;
        }

        var cursor = await WithRetryAsync(LoadCursorAsync, cancellationToken);
        Log.Starting(logger, _export.Id, _destination, _export.Source, cursor.Position);
        Publish(cursor, backlog: 0, backlogAge: null, starting: true);
        await using var sender = setup.Type.Open(setup.Destination.Definition, new DestinationContext(_app, _export.Id, _destination, _export.Source));

        // One batch waits in the channel while the next is read and built and the current one is sent.
        var ready = Channel.CreateBounded<Prepared>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = ProduceAsync(ready.Writer, cursor.Position, filter, transform, stop.Token);
        try
        {
            await foreach (var prepared in ready.Reader.ReadAllAsync(cancellationToken))
            {
                var records = prepared.Records;
                if (records.Count == 0)
                {
                    _backlogError = null;
                    Publish(cursor, 0, null, starting: false);
                    continue;
                }

                var batch = prepared.Messages;
                if (batch.Count > 0)
                {
                    await DeliverAsync(sender, records, new DeliveryBatch(batch), cancellationToken);
                }

                var now = time.GetUtcNow();
                cursor = new Cursor(records[^1].Sequence, cursor.Delivered + batch.Count, batch.Count > 0 ? now : cursor.LastExportTime);
                var saved = cursor;
                await WithRetryAsync(async ct => { await cursors.SaveAsync(_app, _export.Id, _destination, _export.Source, saved, ct); return true; }, cancellationToken);
                if (batch.Count > 0)
                {
                    metrics.Delivered(_export.Id, _destination, batch.Count, (now - records[0].Time).TotalSeconds);
                }

                await CheckBacklogAsync(cursor, records, prepared.Limit, cancellationToken);
            }
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await producer;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        }
    }

    /// <summary>
    /// Reads and builds batches after <paramref name="position"/>, one ahead of the delivery; when the log has nothing
    /// more it says so once and waits to be woken (or for the poll interval). Ends the channel with its failure.
    /// </summary>
    private async Task ProduceAsync(ChannelWriter<Prepared> ready, long position, ExportFilter? filter, JqProgram? transform, CancellationToken cancellationToken)
    {
        var withTwin = filter is not null || Enrichments.ReadProperties(_export.Enrichments);
        var limit = Math.Min(options.BatchSize, options.MaxBatchSize);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var after = position;
                var read = limit;
                var records = await WithRetryAsync(ct => reader.ReadAsync(_app, _export.Source, after, read, ct), cancellationToken);
                if (records.Count == 0)
                {
                    await ready.WriteAsync(new Prepared(records, [], read), cancellationToken);
                    limit = Math.Max(options.BatchSize, limit / 2);
                    await signal.WaitAsync(options.PollInterval, cancellationToken);
                    continue;
                }

                if (_export.Source == ExportSources.Telemetry)
                {
                    // Telemetry sequences are contiguous (assigned at commit, never reused): a hole is what retention removed.
                    ReportGap(records[0].Sequence, position);
                }

                await WithRetryAsync(async ct => { await facts.RefreshAsync(_app, withTwin, ct); return true; }, cancellationToken);
                var messages = await WithRetryAsync(ct => BuildAsync(records, filter, transform, withTwin, ct), cancellationToken);
                await ready.WriteAsync(new Prepared(records, messages, read), cancellationToken);
                position = records[^1].Sequence;

                // A full batch means more waits: the next read takes twice as many, up to the bound; a batch under a
                // quarter full means the backlog is gone, and the size falls back by halves.
                limit = records.Count >= read ? Math.Min(read * 2, options.MaxBatchSize)
                    : records.Count < read / 4 ? Math.Max(options.BatchSize, read / 2)
                    : read;
            }

            ready.TryComplete();
        }
        catch (Exception ex)
        {
            ready.TryComplete(ex);
            throw;
        }
    }

    private async Task<Cursor> LoadCursorAsync(CancellationToken cancellationToken)
    {
        if (await cursors.LoadAsync(_app, _export.Id, _destination, _export.Source, cancellationToken) is { } existing)
        {
            return existing;
        }

        var start = await reader.StartPositionAsync(_app, _export.Source, _export.Start, cancellationToken);
        var cursor = new Cursor(start, 0, null);
        await cursors.SaveAsync(_app, _export.Id, _destination, _export.Source, cursor, cancellationToken);
        return cursor;
    }

    private async Task<List<ExportedMessage>> BuildAsync(IReadOnlyList<SourceRecord> records, ExportFilter? filter, JqProgram? transform, bool withTwin, CancellationToken cancellationToken)
    {
        var messages = new List<ExportedMessage>(records.Count);
        foreach (var record in records)
        {
            var device = await facts.GetAsync(_app, record.DeviceId, withTwin, cancellationToken);
            List<JsonObject> built;
            try
            {
                built = ExportMessages.Build(_messageApplicationId, record, device).ToList();
            }
            catch (Exception ex) when (IsMessageFailure(ex))
            {
                // Building depends on this record alone (its body, properties and the device's facts): it would fail
                // again on every retry, so the record is skipped and reported like a transform failure.
                SkipFailed(record.Sequence, ex);
                continue;
            }

            foreach (var message in built)
            {
                if (filter is not null && !filter.Matches(new FilterSubject(message, device.ToFilterJson(record.DeviceId))))
                {
                    continue;
                }

                ExportMessages.Enrich(message, _export.Enrichments, device, record.DeviceId);

                if (Transform(message, transform, record.Sequence) is { } body)
                {
                    messages.Add(new ExportedMessage(record.Sequence, record.DeviceId, record.Time, body));
                }
            }
        }

        return messages;
    }

    /// <summary>
    /// Applies the destination's jq transform and writes the result. A message that fails here (a jq error, a limit of
    /// the transform's budget, a value JSON cannot hold) fails on every retry of it, so it is skipped and reported
    /// rather than blocking the export forever; a transform that yields nothing drops it.
    /// </summary>
    private byte[]? Transform(JsonObject message, JqProgram? transform, long sequence)
    {
        try
        {
            if (transform is null)
            {
                return JsonSerializer.SerializeToUtf8Bytes(message);
            }

            var outputs = transform.Run(message);
            return outputs.Count == 0 ? null : JsonSerializer.SerializeToUtf8Bytes(outputs[0]);
        }
        catch (Exception ex) when (IsMessageFailure(ex))
        {
            SkipFailed(sequence, ex);
            return null;
        }
    }

    /// <summary>
    /// Failures that belong to one message and recur on every attempt. Cancellation and running out of memory are
    /// not the message's: they propagate, and the pipeline retries or stops as for any other failure.
    /// </summary>
    private static bool IsMessageFailure(Exception ex) => ex is not (OperationCanceledException or OutOfMemoryException);

    private void SkipFailed(long sequence, Exception ex)
    {
        var reason = ex is JqException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}";
        _transformError = new ExportError("transformFailed", $"The transform failed on the message at position {sequence}, which was skipped: {reason}");
        Log.TransformFailed(logger, _export.Id, _destination, sequence, reason);
    }

    private async Task DeliverAsync(IDestinationSender sender, IReadOnlyList<SourceRecord> records, DeliveryBatch batch, CancellationToken cancellationToken)
    {
        var spans = ExportTracing.StartDeliveries(records, batch, _export.Id, _destination);
        try
        {
            var attempts = await SendUntilAcceptedAsync(sender, batch, cancellationToken);
            ExportTracing.EndDeliveries(spans, attempts, null);
        }
        catch (Exception ex)
        {
            ExportTracing.EndDeliveries(spans, 0, ex);
            throw;
        }
    }

    /// <summary>
    /// Sends until the destination has accepted every message. A retry carries only the messages the failure did not
    /// report accepted (<see cref="DestinationException.Undelivered"/>), or the whole batch when it reported nothing.
    /// </summary>
    /// <returns>How many attempts it took.</returns>
    private async Task<int> SendUntilAcceptedAsync(IDestinationSender sender, DeliveryBatch batch, CancellationToken cancellationToken)
    {
        var attempt = 0;
        while (true)
        {
            try
            {
                await sender.SendAsync(batch, cancellationToken);
                if (attempt > 0)
                {
                    Log.Recovered(logger, _export.Id, _destination, attempt);
                }

                _deliveryError = null;
                return attempt + 1;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                attempt++;
                metrics.Failed(_export.Id, _destination);
                if (ex is DestinationException { Undelivered: { Count: > 0 } undelivered } && undelivered.Count < batch.Messages.Count)
                {
                    batch = new DeliveryBatch(undelivered);
                }

                var delay = Backoff(attempt, (ex as DestinationException)?.RetryAfter);
                _deliveryError = new ExportError(ex is DestinationException { Permanent: true } ? "destinationRejected" : "destinationUnavailable", ex.Message);
                state.Update(s => s with { Status = "error", Errors = Errors(), Failed = s.Failed + 1 });
                Log.DeliveryFailed(logger, _export.Id, _destination, attempt, delay, ex.Message);
                await Task.Delay(delay, time, cancellationToken);
            }
        }
    }

    private async Task<T> WithRetryAsync<T>(Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken)
    {
        var attempt = 0;
        while (true)
        {
            try
            {
                return await action(cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                // The stop interrupted the read: DuckDB answers a cancelled command with its own INTERRUPT error, not
                // an OperationCanceledException. That is the stop, not a failure to report.
                throw new OperationCanceledException("The export pipeline stopped.", ex, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                var delay = Backoff(++attempt, null);
                Log.PipelineFailed(logger, ex, _export.Id, _destination, delay);
                await Task.Delay(delay, time, cancellationToken);
            }
        }
    }

    /// <summary>Reports the backlog and what retention deleted before delivery, at most once a second.</summary>
    private async Task CheckBacklogAsync(Cursor cursor, IReadOnlyList<SourceRecord> records, int limit, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (now - _lastRangeCheck < TimeSpan.FromSeconds(1) && records.Count < limit)
        {
            Publish(cursor, 0, null, starting: false);
            return;
        }

        _lastRangeCheck = now;
        var (newest, _) = await WithRetryAsync(ct => reader.RangeAsync(_app, _export.Source, ct), cancellationToken);
        var backlog = Math.Max(0, newest - cursor.Position);
        TimeSpan? age = backlog > 0 ? now - records[^1].Time : null;
        _backlogError = backlog > options.BacklogCountLimit || age > options.BacklogAgeLimit
            ? new ExportError("backlog", $"{backlog} records wait for delivery; the oldest is from {age?.TotalMinutes:0} minutes ago. Nothing is dropped; check the destination's capacity.")
            : null;
        if (_backlogError is not null)
        {
            Log.Backlog(logger, _export.Id, _destination, backlog, age ?? TimeSpan.Zero);
        }

        Publish(cursor, backlog, age, starting: false);
    }

    /// <summary>Telemetry retention may delete messages an export has not delivered yet; that loss is reported, never silent.</summary>
    private void ReportGap(long firstRead, long position)
    {
        var lost = firstRead - position - 1;
        if (lost > 0)
        {
            _gapError = new ExportError("retentionGap", $"Retention deleted {lost} messages before this export delivered them; raise the retention or fix the destination sooner.");
            Log.RetentionGap(logger, _export.Id, _destination, lost);
        }
    }

    private void Publish(Cursor cursor, long backlog, TimeSpan? backlogAge, bool starting)
    {
        var errors = Errors();
        state.Update(s => new ExportStatus(
            errors.Count > 0 ? "error" : starting ? "starting" : "healthy", errors, cursor.LastExportTime, cursor.Delivered, s.Failed, backlog, backlogAge));
    }

    private List<ExportError> Errors() => new[] { _deliveryError, _backlogError, _transformError, _gapError }.OfType<ExportError>().ToList();

    private TimeSpan Backoff(int attempt, TimeSpan? retryAfter)
    {
        var exponential = options.InitialRetryDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 20));
        var capped = Math.Min(exponential, options.MaxRetryDelay.TotalMilliseconds);
        var jittered = TimeSpan.FromMilliseconds(capped * (0.5 + (Random.Shared.NextDouble() / 2)));
        return retryAfter is { } after && after > jittered ? (after < options.MaxRetryDelay ? after : options.MaxRetryDelay) : jittered;
    }
}
