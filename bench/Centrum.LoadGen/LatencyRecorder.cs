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

    public (long Count, double P50, double P95, double P99, double Max) Summary()
    {
        long[] all;
        lock (_lists)
        {
            all = _lists.SelectMany(l => l).ToArray();
        }

        if (all.Length == 0)
        {
            return (0, 0, 0, 0, 0);
        }

        Array.Sort(all);
        double At(double q) => all[Math.Min(all.Length - 1, (int)(q * all.Length))] / 1000.0;
        return (all.Length, At(0.50), At(0.95), At(0.99), all[^1] / 1000.0);
    }
}
