using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Centrum.IntegrationTests.Infrastructure;

/// <summary>
/// A device running the real Azure IoT Node.js SDK (tests/node/device.js) against a server under test. It is given
/// only a connection string and, through NODE_EXTRA_CA_CERTS, the server's CA; its events arrive as JSON lines.
/// </summary>
internal sealed class NodeDevice : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<JsonObject> _events = new();
    private readonly ConcurrentQueue<string> _stderr = new();

    private NodeDevice(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (!string.IsNullOrWhiteSpace(e.Data) && e.Data.StartsWith('{'))
            {
                _events.Enqueue(JsonNode.Parse(e.Data)!.AsObject());
            }
        };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _stderr.Enqueue(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public IReadOnlyList<JsonObject> Events => _events.ToList();

    public bool HasExited => _process.HasExited;

    public static string ConnectionString(CentrumServer server, string deviceId, string key) =>
        $"HostName={server.HubHostName};DeviceId={deviceId};SharedAccessKey={key};GatewayHostName={server.Address}";

    /// <param name="trusted">A PEM file of CA certificates to trust instead of the server's CA (an edge's, for a device behind it; or both, in one file).</param>
    public static NodeDevice Start(CentrumServer server, object scenario, string script = "device.js", string? trusted = null)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = Repository.NodeFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(JsonSerializer.Serialize(scenario));
        start.Environment["NODE_EXTRA_CA_CERTS"] = trusted ?? server.CaCertificatePath;
        return new NodeDevice(Process.Start(start)!);
    }

    /// <summary>Runs a scenario to its end and returns its events.</summary>
    public static async Task<IReadOnlyList<JsonObject>> RunAsync(CentrumServer server, object scenario, TimeSpan? timeout = null, string script = "device.js", string? trusted = null)
    {
        await using var device = Start(server, scenario, script, trusted);
        device.Release();
        await device.WaitForExitAsync(timeout ?? TimeSpan.FromSeconds(60));
        return device.Events;
    }

    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The Node device did not finish within {timeout}. Events: {Describe()}");
        }

        // Let the asynchronous readers drain the last lines.
        _process.WaitForExit();
    }

    public Task WaitForEventAsync(string name, TimeSpan timeout) =>
        Wait.UntilAsync(() => Task.FromResult(_events.Any(e => (string?)e["event"] == name)), timeout, $"the device reports '{name}' ({Describe()})");

    /// <summary>Closes stdin: a device in the 'hold' scenario then closes its client and exits.</summary>
    public void Release() => _process.StandardInput.Close();

    public string Describe() => string.Join(' ', _events.Select(e => e.ToJsonString())) + " stderr: " + string.Join('\n', _stderr);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
