using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Centrum.LoadGen;

/// <summary>The export bench's settings; <c>Load.Duration</c> is the whole publishing time, <c>Warmup</c> included.</summary>
internal sealed record ExportSettings(LoadSettings Load, TimeSpan Warmup, string Api, string Token, TimeSpan DrainTimeout, int Senders, string? TimelineFile);

/// <summary>
/// Continuous data export under a sustained ingest rate. Creates a <c>webhook@v1</c> destination pointing at an
/// in-process receiver and a telemetry export to it, publishes at the fleet's paced rate with each payload carrying
/// its publish time, waits until every acknowledged message reached the receiver, and then, as the reference, posts
/// the same number of messages of the export's body size straight to the same receiver the way the webhook sender
/// does. The headline is the export's delivered rate over the direct rate, with lag percentiles in absolute terms.
/// </summary>
internal sealed class ExportRun(ExportSettings settings)
{
    private const string Preview = "api-version=2022-10-31-preview";
    private const string DestinationId = "bench-receiver";
    private const string ExportId = "bench-telemetry";

    /// <summary>A drain shorter than this is the last batch's tail, not a backlog; its rate would mean nothing.</summary>
    private const double MinimumDrain = 1.0;

    public async Task<ExportReport> RunAsync(CancellationToken cancellationToken)
    {
        await using var receiver = await ExportReceiver.StartAsync(cancellationToken);
        using var api = RestClient.Create(settings.Api, settings.Token, settings.Load.CaPath);
        await PutAsync(api, $"api/dataExport/destinations/{DestinationId}?{Preview}", new JsonObject
        {
            ["displayName"] = "Export bench receiver",
            ["type"] = "webhook@v1",
            ["url"] = new Uri(receiver.Url, "export").AbsoluteUri,
        }, cancellationToken);
        await PutAsync(api, $"api/dataExport/exports/{ExportId}?{Preview}", new JsonObject
        {
            ["displayName"] = "Export bench",
            ["enabled"] = true,
            ["source"] = "telemetry",
            ["destinations"] = new JsonArray(new JsonObject { ["id"] = DestinationId }),
        }, cancellationToken);
        if (!await UntilAsync(async () => (string?)(await StatusAsync(api, cancellationToken))["status"] == "healthy", TimeSpan.FromSeconds(30), cancellationToken))
        {
            throw new InvalidOperationException("The export did not report healthy within 30 s.");
        }

        var load = new LoadRun(settings.Load, () => Body(settings.Load.PayloadBytes));
        var published = await load.RunAsync(cancellationToken);
        var drained = await UntilAsync(
            () => Task.FromResult(receiver.Export.Distinct >= published.Acknowledged), settings.DrainTimeout, cancellationToken);

        // The first seconds after a start measure the JIT and cold caches of both processes, not the export.
        var measuredFrom = load.PublishStarted + settings.Warmup;
        var export = receiver.Export.Summarize(measuredFrom, load.PublishEnded);
        var status = await StatusAsync(api, cancellationToken);
        if (settings.TimelineFile is { } timeline)
        {
            await File.WriteAllLinesAsync(timeline, receiver.Export.Timeline(load.PublishStarted), cancellationToken);
        }

        var sample = receiver.Export.Sample ?? Body(settings.Load.PayloadBytes);
        var (posted, failed, directSeconds) = await DirectPosts.RunAsync(
            new Uri(receiver.Url, "direct"), sample, export.Published, settings.Load.Devices, settings.Senders, cancellationToken);

        var measuredSeconds = (load.PublishEnded - measuredFrom).TotalSeconds;
        var deliveredPerSecond = export.Within / measuredSeconds;
        var drainSeconds = export.LastReceived is { } last && last > load.PublishEnded ? (last - load.PublishEnded).TotalSeconds : 0;
        var directPerSecond = directSeconds > 0 ? posted / directSeconds : 0;
        return new ExportReport(
            settings.Load.Devices, settings.Load.Rate, settings.Load.PayloadBytes, sample.Length, settings.Warmup.TotalSeconds, measuredSeconds, export.Carried,
            published.Acknowledged, published.Errors, export.Published / measuredSeconds, published.P50Ms, published.P99Ms,
            export.Distinct, export.Duplicates, export.OutOfOrder, export.Unreadable, Math.Max(0, published.Acknowledged - export.Distinct),
            drained, drainSeconds, deliveredPerSecond, drainSeconds >= MinimumDrain ? (export.Distinct - export.Within) / drainSeconds : null,
            export.LagP50Ms, export.LagP90Ms, export.LagP99Ms, export.LagMaxMs,
            settings.Senders, posted, failed, directSeconds, directPerSecond, directPerSecond > 0 ? deliveredPerSecond / directPerSecond : 0,
            (string?)status["status"], status["metrics"]?.DeepClone());
    }

    /// <summary>A JSON object padded to <paramref name="size"/> bytes whose <c>sentAt</c> is now, in Unix milliseconds with microseconds.</summary>
    private static byte[] Body(int size)
    {
        var sentAt = (DateTimeOffset.UtcNow.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / (double)TimeSpan.TicksPerMillisecond;
        var head = string.Create(CultureInfo.InvariantCulture, $"{{\"sentAt\":{sentAt:F3},\"pad\":\"");
        var padding = Math.Max(0, size - head.Length - 2);
        return Encoding.UTF8.GetBytes(head + new string('x', padding) + "\"}");
    }

    private static async Task PutAsync(HttpClient api, string path, JsonObject body, CancellationToken cancellationToken)
    {
        using var response = await api.PutAsJsonAsync(path, body, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"PUT {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }

    private static async Task<JsonObject> StatusAsync(HttpClient api, CancellationToken cancellationToken) =>
        await api.GetFromJsonAsync<JsonObject>($"api/dataExport/exports/{ExportId}?{Preview}", cancellationToken)
        ?? throw new InvalidOperationException("The export's status was empty.");

    private static async Task<bool> UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            while (!await condition())
            {
                await Task.Delay(50, deadline.Token);
            }

            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}

/// <summary>
/// One export bench run. The measured phase is the publishing time after the warm-up: <c>IngestPerSecond</c> counts
/// the messages published in it, <c>DeliveredPerSecond</c> the distinct messages the receiver got in it,
/// <c>DrainPerSecond</c> the rest over the time it took after publishing stopped (when that was a second or more),
/// and the lags (publish to receipt) are those of the messages published in it. Counts of acknowledged, received,
/// duplicate, missing and out-of-order messages cover the whole run, warm-up included.
/// </summary>
internal sealed record ExportReport(
    int Devices, int TargetRate, int PayloadBytes, int ExportBodyBytes, double WarmupSeconds, double MeasuredSeconds, long WarmupBacklog,
    long Acknowledged, long PublishErrors, double IngestPerSecond, double PubackP50Ms, double PubackP99Ms,
    long ReceivedDistinct, long Duplicates, long OutOfOrder, long Unreadable, long Missing,
    bool Drained, double DrainSeconds, double DeliveredPerSecond, double? DrainPerSecond,
    double LagP50Ms, double LagP90Ms, double LagP99Ms, double LagMaxMs,
    int Senders, long DirectMessages, long DirectFailed, double DirectSeconds, double DirectPerSecond, double Ratio,
    string? ExportStatus, JsonNode? ExportMetrics)
{
    public string ToJson() => JsonSerializer.Serialize(this);
}
