using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Centrum.IntegrationTests.Jobs;

/// <summary>
/// Many devices in one Node.js process (tests/node/fleet.js), each its own Azure IoT SDK <c>Client</c> with its own
/// MQTT connection: a job test needs tens of devices, and tens of Node runtimes would crowd a small test machine.
/// Every line the devices print carries the device id and the time it happened; devices listed offline connect when
/// <see cref="Connect"/> names them.
/// </summary>
internal sealed class NodeFleet : IAsyncDisposable
{
    public const string DesiredFilter = "$iothub/twin/PATCH/properties/desired/#";
    public const string MethodsFilter = "$iothub/methods/POST/#";

    private readonly Process _process;
    private readonly ConcurrentQueue<JsonObject> _events = new();
    private readonly ConcurrentQueue<string> _stderr = new();

    private NodeFleet(Process process)
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

    /// <summary>
    /// Starts the devices of <paramref name="keys"/> (device id to primary key); <paramref name="scenario"/> holds the
    /// rest of fleet.js's scenario (ack, acks, methods, answers, offline).
    /// </summary>
    public static NodeFleet Start(CentrumServer server, IReadOnlyDictionary<string, string> keys, JsonObject scenario)
    {
        scenario["devices"] = new JsonArray([.. keys.Select(k => (JsonNode)new JsonObject
        {
            ["id"] = k.Key,
            ["connectionString"] = NodeDevice.ConnectionString(server, k.Key, k.Value),
        })]);
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = Repository.NodeFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("fleet.js");
        start.ArgumentList.Add(scenario.ToJsonString());
        start.Environment["NODE_EXTRA_CA_CERTS"] = server.CaCertificatePath;
        return new NodeFleet(Process.Start(start)!);
    }

    /// <summary>Connects devices that the scenario kept offline.</summary>
    public void Connect(IEnumerable<string> deviceIds)
    {
        _process.StandardInput.WriteLine(new JsonObject { ["connect"] = new JsonArray([.. deviceIds.Select(d => (JsonNode)d)]) }.ToJsonString());
        _process.StandardInput.Flush();
    }

    public IReadOnlyList<JsonObject> Of(string deviceId, string name) =>
        _events.Where(e => (string?)e["device"] == deviceId && (string?)e["event"] == name).ToList();

    public IReadOnlyList<JsonObject> All(string name) => _events.Where(e => (string?)e["event"] == name).ToList();

    /// <summary>
    /// Waits until every device named is ready (connected, its command handlers and twin listener set) and the server
    /// holds the subscriptions the SDK makes lazily and reports to nobody.
    /// </summary>
    public async Task WaitReadyAsync(CentrumServer server, IEnumerable<string> deviceIds, params string[] filters)
    {
        var ids = deviceIds.ToList();
        await Wait.UntilAsync(() => Task.FromResult(ids.All(id => Of(id, "ready").Count > 0)), TimeSpan.FromSeconds(180), $"{ids.Count} devices are ready ({Describe()})");
        foreach (var id in ids)
        {
            foreach (var filter in filters)
            {
                await server.WaitForSubscriptionAsync(id, filter, TimeSpan.FromSeconds(60));
            }
        }
    }

    public string Describe() =>
        string.Join(' ', _events.TakeLast(40).Select(e => e.ToJsonString())) + " stderr: " + string.Join('\n', _stderr);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                _process.StandardInput.Close();
                using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                await _process.WaitForExitAsync(exited.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
    }
}
