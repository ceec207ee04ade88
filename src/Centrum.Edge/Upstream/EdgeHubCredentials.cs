namespace Centrum.Edge.Upstream;

/// <summary>
/// The <c>$edgeHub</c> module key in force: from the scope cache at start, then as the cloud gives it. Upstream
/// connections wait until one is known and take the newest each time they connect.
/// </summary>
internal sealed class EdgeHubCredentials
{
    private readonly TaskCompletionSource _known = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile string? _key;

    public void Provide(string key)
    {
        _key = key;
        _known.TrySetResult();
    }

    public async Task<string> KeyAsync(CancellationToken cancellationToken)
    {
        await _known.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return _key!;
    }
}
