using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Centrum.LoadGen;

/// <summary>
/// Device creation through REST: <c>callers</c> concurrent callers PUT new devices (IoT Central's <c>Devices_Create</c>)
/// until <c>count</c> exist, each id once; the run reports creations per second and the PUT's latency as a caller sees
/// it. A second phase races pairs of callers on the same new ids, which must answer both with success (one creates, the
/// other replaces what the first created) and leave one device per id.
/// </summary>
internal sealed class DeviceCreationRun(string api, string token, string caPath, int count, int callers)
{
    /// <summary>Ids raced in pairs after the measured phase: enough to meet in shared commits, few enough not to weigh on the figure.</summary>
    private const int RacedIds = 200;

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        using var http = RestClient.Create(api, token, caPath);
        var latencies = new ConcurrentBag<double>();
        var failures = new ConcurrentDictionary<string, int>();
        var next = -1;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) is var i && i < count)
            {
                var started = Stopwatch.GetTimestamp();
                var status = await StatusAsync(http, $"create-{i:D6}", cancellationToken);
                if (status == "200")
                {
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                else
                {
                    failures.AddOrUpdate(status, 1, (_, n) => n + 1);
                }
            }
        }));
        var seconds = watch.Elapsed.TotalSeconds;

        // Two callers per id at once: both must succeed.
        var raceFailures = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, RacedIds), new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, callers / 2), CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var id = $"race-{i:D4}";
            var answers = await Task.WhenAll(StatusAsync(http, id, ct), StatusAsync(http, id, ct));
            Interlocked.Add(ref raceFailures, answers.Count(a => a != "200"));
        });

        var sorted = latencies.Order().ToArray();
        double At(double q) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
        return JsonSerializer.Serialize(new
        {
            Devices = count,
            Callers = callers,
            Created = sorted.Length,
            CreatedPerSecond = sorted.Length / seconds,
            PutP50Ms = At(0.50),
            PutP99Ms = At(0.99),
            Failures = failures.ToDictionary(f => f.Key, f => f.Value),
            RacedIds,
            RaceFailures = raceFailures,
        });
    }

    /// <summary>The PUT's status code, or how it failed without one (the client's timeout on a server that stalls).</summary>
    private static async Task<string> StatusAsync(HttpClient http, string id, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await PutAsync(http, id, cancellationToken);
            return ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return ex.GetType().Name;
        }
    }

    private static Task<HttpResponseMessage> PutAsync(HttpClient http, string id, CancellationToken cancellationToken) =>
        http.PutAsync($"api/devices/{id}?api-version=2022-07-31", new StringContent("""{"displayName":"bench"}""", Encoding.UTF8, "application/json"), cancellationToken);
}
