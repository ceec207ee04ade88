using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Centrum.Commands;
using Centrum.Devices;

namespace Centrum.Jobs.Tests;

/// <summary>
/// The gateway's side of the test's devices: which are connected, and what a device answers a direct method with. It
/// stands for the gateway's connection to a device in these server-free tests; the end-to-end tests run the real path
/// with Node SDK devices. Every call that reaches a device is recorded, so a test can show none was made twice.
/// </summary>
internal sealed class ScriptedDevices : IDirectMethodInvoker, IDeviceConnections
{
    private readonly ConcurrentDictionary<string, bool> _connected = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _calls = new();

    /// <summary>What a connected device answers; by default 200 with <c>{"done": true}</c>.</summary>
    public Func<string, string, Task<DirectMethodResult>> Answer { get; set; } = (_, _) => Task.FromResult(new DirectMethodResult(DirectMethodStatus.Answered, 200, new JsonObject { ["done"] = true }));

    /// <summary>The devices that a direct method reached, in order.</summary>
    public IReadOnlyList<string> Calls => [.. _calls];

    public void Connect(params string[] deviceIds)
    {
        foreach (var id in deviceIds)
        {
            _connected[id] = true;
        }
    }

    public bool IsConnected(string applicationId, string deviceId) => _connected.ContainsKey(deviceId);

    public IReadOnlyCollection<string> ConnectedDevices(string applicationId) => [.. _connected.Keys];

    public Task<DirectMethodResult> InvokeAsync(
        string applicationId, string deviceId, string? moduleId, string methodName, JsonNode? payload,
        TimeSpan connectTimeout, TimeSpan responseTimeout, CancellationToken cancellationToken)
    {
        if (!IsConnected(applicationId, deviceId))
        {
            return Task.FromResult(new DirectMethodResult(DirectMethodStatus.NotConnected));
        }

        _calls.Enqueue(deviceId);
        // A call abandoned by its caller (the server stopping) ends, as a gateway's pending call does.
        return Answer(deviceId, methodName).WaitAsync(cancellationToken);
    }

    public ValueTask DisconnectAsync(string applicationId, string deviceId, string reason)
    {
        _connected.TryRemove(deviceId, out _);
        return ValueTask.CompletedTask;
    }

    public ValueTask DisconnectCredentialAsync(string applicationId, string credentialSource, string reason) => ValueTask.CompletedTask;

    public ValueTask DisconnectApplicationAsync(string applicationId, string reason) => ValueTask.CompletedTask;
}
