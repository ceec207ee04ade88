namespace Centrum.Export.Destinations.Internal;

/// <summary>Runs a bounded number of copies of a worker that take their items from a shared counter.</summary>
internal static class Workers
{
    /// <summary>Starts <c>min(limit, items)</c> copies of <paramref name="worker"/> and waits for all of them.</summary>
    public static Task RunAsync(int limit, int items, Func<Task> worker)
    {
        var workers = new Task[Math.Min(limit, items)];
        for (var w = 0; w < workers.Length; w++)
        {
            workers[w] = worker();
        }

        return Task.WhenAll(workers);
    }
}
