using System.Diagnostics;
using System.Globalization;
using Centrum.Gateway.Tests;
using Centrum.IotHub.Mqtt;

// The MQTT decoder's long fuzz run: the suite's generator and per-input check (MqttFuzz) for many more inputs,
// spread over the cores, each worker with its own seed.
//   dotnet run -c Release --project bench/Centrum.MqttFuzz -- [inputs=10000000] [seed=1]
var inputs = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 10_000_000;
var seed = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1;
var workers = Environment.ProcessorCount;

var started = Stopwatch.StartNew();
var results = await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(() => Run(seed * 1000 + w, inputs / workers + (w < inputs % workers ? 1 : 0)))));
var elapsed = started.Elapsed;

var total = results.Aggregate(new Tally(), (a, b) => a.Add(b));
Console.WriteLine(FormattableString.Invariant($"inputs {total.Inputs:N0} in {elapsed.TotalSeconds:F1} s ({total.Inputs / elapsed.TotalSeconds:N0}/s, {workers} workers, seed {seed})"));
Console.WriteLine(FormattableString.Invariant($"bytes {total.Bytes:N0}, packets decoded {total.Packets:N0}"));
foreach (var (status, count) in total.Statuses.OrderBy(s => s.Key))
{
    Console.WriteLine(FormattableString.Invariant($"  ended {status}: {count:N0}"));
}

Console.WriteLine(FormattableString.Invariant($"slowest input {total.MaxTime.TotalMilliseconds:F2} ms; most allocated for one input {total.MaxAllocated:N0} B ({total.MaxAllocatedLength:N0} B of input)"));
Console.WriteLine(FormattableString.Invariant($"failures {total.Failures}"));
foreach (var failure in total.FirstFailures)
{
    Console.WriteLine("  " + failure);
}

return total.Failures == 0 ? 0 : 1;

static Tally Run(int seed, long count)
{
    var random = new Random(seed);
    var tally = new Tally();
    for (long i = 0; i < count; i++)
    {
        var input = MqttFuzz.Next(random);
        var failure = MqttFuzz.Check(input, random, out var status, out var packets, out var elapsed, out var allocated);
        tally.Record(input, status, packets, elapsed, allocated, failure is null ? null : $"seed {seed} input {i}: {failure} ({Convert.ToHexString(input.AsSpan(0, Math.Min(input.Length, 48)))})");
    }

    return tally;
}

internal sealed class Tally
{
    public long Inputs { get; private set; }

    public long Bytes { get; private set; }

    public long Packets { get; private set; }

    public long Failures { get; private set; }

    public TimeSpan MaxTime { get; private set; }

    public long MaxAllocated { get; private set; }

    public int MaxAllocatedLength { get; private set; }

    public Dictionary<MqttDecodeStatus, long> Statuses { get; } = [];

    public List<string> FirstFailures { get; } = [];

    public void Record(byte[] input, MqttDecodeStatus status, int packets, TimeSpan elapsed, long allocated, string? failure)
    {
        Inputs++;
        Bytes += input.Length;
        Packets += packets;
        Statuses[status] = Statuses.GetValueOrDefault(status) + 1;
        MaxTime = elapsed > MaxTime ? elapsed : MaxTime;
        if (allocated > MaxAllocated)
        {
            (MaxAllocated, MaxAllocatedLength) = (allocated, input.Length);
        }

        if (failure is not null)
        {
            Failures++;
            if (FirstFailures.Count < 10)
            {
                FirstFailures.Add(failure);
            }
        }
    }

    public Tally Add(Tally other)
    {
        Inputs += other.Inputs;
        Bytes += other.Bytes;
        Packets += other.Packets;
        Failures += other.Failures;
        MaxTime = other.MaxTime > MaxTime ? other.MaxTime : MaxTime;
        if (other.MaxAllocated > MaxAllocated)
        {
            (MaxAllocated, MaxAllocatedLength) = (other.MaxAllocated, other.MaxAllocatedLength);
        }

        foreach (var (status, count) in other.Statuses)
        {
            Statuses[status] = Statuses.GetValueOrDefault(status) + count;
        }

        FirstFailures.AddRange(other.FirstFailures.Take(10 - FirstFailures.Count));
        return this;
    }
}
