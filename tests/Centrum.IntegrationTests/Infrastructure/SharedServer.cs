namespace Centrum.IntegrationTests.Infrastructure;

/// <summary>
/// One server shared by the cases of a test class whose cases need no settings of their own and nothing of the server
/// to themselves: each is refused, only reads, or works in devices, enrollment groups, people or applications of its
/// own that no other case looks at (the cases of a class run one after another). Each case otherwise pays a whole
/// server start (a process, its migrations, its certificates, an administrator's token), which costs more than many a
/// case itself. A case that restarts or kills the server, changes its settings or counts what the whole application
/// holds keeps a server of its own. Started on the first case, on the store that case's class runs on; stopped, with
/// its logged errors checked as any server's, when the class is done.
/// </summary>
public sealed class SharedServer : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private CentrumServer? _server;

    internal async Task<CentrumServer> GetAsync(MetadataStore store)
    {
        await _gate.WaitAsync();
        try
        {
            _server ??= await CentrumServer.StartAsync(store: store);
            Assert.Equal(store, _server.Store);
            return _server;
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _gate.Dispose();
    }
}
