namespace Centrum.Twins;

/// <summary>
/// Serialises updates of one twin on this node, with a fixed set of stripes so memory does not grow with the fleet.
/// (Several nodes will add the version column's optimistic check; one node needs no retries.)
/// </summary>
internal sealed class TwinLocks
{
    private const int Stripes = 1024;
    private readonly SemaphoreSlim[] _stripes = Enumerable.Range(0, Stripes).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    public async Task<IDisposable> AcquireAsync(string applicationId, string deviceId, string? moduleId, CancellationToken cancellationToken)
    {
        var stripe = _stripes[(int)((uint)HashCode.Combine(applicationId, deviceId, moduleId) % Stripes)];
        await stripe.WaitAsync(cancellationToken);
        return new Releaser(stripe);
    }

    private sealed class Releaser(SemaphoreSlim stripe) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                stripe.Release();
            }
        }
    }
}
