using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Centrum.Events;
using Centrum.Twins;

namespace Centrum.Jobs.Tests;

/// <summary>
/// Devices that answer writable properties as IoT Plug and Play devices do ("IoT Plug and Play conventions", "Writable
/// properties"): on each desired update they report every desired property back with <c>ac</c>, <c>av</c> (the desired
/// version) and <c>ad</c>, through the twins area as a device's reported patch. A device without an answer stays silent.
/// </summary>
internal sealed class PropertyDevices : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, (int Code, string Description)> _answers = new(StringComparer.Ordinal);
    private readonly TwinService _twins;
    private readonly DeviceEventSubscription _subscription;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public PropertyDevices(IDeviceEvents events, TwinService twins)
    {
        _twins = twins;
        _subscription = events.Subscribe();
        _loop = RunAsync();
    }

    public void Answer(string deviceId, int code = 200, string description = "applied") => _answers[deviceId] = (code, description);

    /// <summary>Reports the acknowledgement of the device's current desired properties now.</summary>
    public async Task AcknowledgeAsync(string deviceId, int code = 200, string description = "applied")
    {
        var twin = await _twins.GetAsync(JobStore.App, deviceId, null, CancellationToken.None) ?? throw new InvalidOperationException($"No twin for {deviceId}.");
        var patch = new JsonObject();
        foreach (var (name, value) in twin.Desired)
        {
            if (value is JsonObject component && component["__t"]?.GetValue<string>() == "c")
            {
                var reported = new JsonObject { ["__t"] = "c" };
                foreach (var (inner, innerValue) in component)
                {
                    if (inner != "__t")
                    {
                        reported[inner] = Ack(innerValue, code, twin.DesiredVersion, description);
                    }
                }

                patch[name] = reported;
            }
            else
            {
                patch[name] = Ack(value, code, twin.DesiredVersion, description);
            }
        }

        var written = await _twins.PatchReportedAsync(JobStore.App, deviceId, null, patch, null, CancellationToken.None);
        Assert.True(written.Succeeded, written.Problem?.Message);
    }

    private static JsonObject Ack(JsonNode? value, int code, long version, string description) =>
        new() { ["value"] = value?.DeepClone(), ["ac"] = code, ["av"] = version, ["ad"] = description };

    private async Task RunAsync()
    {
        try
        {
            await foreach (var e in _subscription.Reader.ReadAllAsync(_stop.Token))
            {
                if (e.Kind == DeviceEventKind.DesiredPropertiesChanged && _answers.TryGetValue(e.DeviceId, out var answer))
                {
                    await AcknowledgeAsync(e.DeviceId, answer.Code, answer.Description);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The test ended.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _subscription.Dispose();
        await _loop;
        _stop.Dispose();
    }
}
