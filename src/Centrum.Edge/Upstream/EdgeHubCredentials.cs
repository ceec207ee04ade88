namespace Centrum.Edge.Upstream;

/// <summary>
/// The <c>$edgeHub</c> module key, once the cloud has given it: the upstream connections wait for it, the scope
/// refresh provides it.
/// </summary>
internal sealed class EdgeHubCredentials
{
    private readonly TaskCompletionSource<string> _key = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool Known => _key.Task.IsCompletedSuccessfully;

    public void Provide(string key) => _key.TrySetResult(key);

    public Task<string> KeyAsync(CancellationToken cancellationToken) => _key.Task.WaitAsync(cancellationToken);
}
