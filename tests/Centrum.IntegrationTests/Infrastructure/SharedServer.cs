namespace Centrum.IntegrationTests.Infrastructure;

/// <summary>
/// One server shared by the cases of a test class whose cases are refused or only read, and so leave nothing behind
/// that another case could see. Each case otherwise pays a whole server start (a process, its migrations, its
/// certificates), which costs more than the case itself. Started on the first case, on the store that case's class
/// runs on; stopped, with its logged errors checked as any server's, when the class is done.
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
