namespace Centrum.LoadGen;

/// <summary>Latencies in microseconds, one list per worker so recording takes no lock.</summary>
internal sealed class LatencyRecorder
{
    private readonly List<List<long>> _lists = [];

    public List<long> NewList()
    {
        var list = new List<long>(64 * 1024);
        lock (_lists)
        {
            _lists.Add(list);
        }

        return list;
    }

    public (long Count, double P50, double P90, double P95, double P99, double Max) Summary()
    {
        long[] all;
        lock (_lists)
        {
            all = _lists.SelectMany(l => l).ToArray();
        }

        return Percentiles(all);
    }

    /// <summary>Percentiles in milliseconds of latencies in microseconds; sorts <paramref name="micros"/> in place.</summary>
    public static (long Count, double P50, double P90, double P95, double P99, double Max) Percentiles(long[] micros)
    {
        if (micros.Length == 0)
        {
            return (0, 0, 0, 0, 0, 0);
        }

        Array.Sort(micros);
        double At(double q) => micros[Math.Min(micros.Length - 1, (int)(q * micros.Length))] / 1000.0;
        return (micros.Length, At(0.50), At(0.90), At(0.95), At(0.99), micros[^1] / 1000.0);
    }
}
