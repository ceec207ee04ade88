using System.Text.Json.Nodes;
using Centrum.Commands;

namespace Centrum.Gateway.Sessions;

/// <summary>Direct methods go to the device's own connection on this node, never fanned out like a broker topic.</summary>
internal sealed class GatewayMethodInvoker(ConnectionRegistry connections, TimeProvider time) : IDirectMethodInvoker
{
    public async Task<DirectMethodResult> InvokeAsync(
        string applicationId, string deviceId, string? moduleId, string methodName, JsonNode? payload,
        TimeSpan connectTimeout, TimeSpan responseTimeout, CancellationToken cancellationToken)
    {
        var clientId = moduleId is null ? deviceId : $"{deviceId}/{moduleId}";
        var probe = IotHub.IotHubTopics.MethodRequest(methodName, "0");
        var deadline = time.GetUtcNow() + connectTimeout;
        while (true)
        {
            if (connections.Find(applicationId, clientId) is { } session && session.IsSubscribed(probe))
            {
                return await session.InvokeMethodAsync(methodName, payload, responseTimeout, cancellationToken);
            }

            // IoT Hub's connectTimeoutInSeconds: wait for the device to come online and listen for methods.
            if (time.GetUtcNow() >= deadline)
            {
                return new DirectMethodResult(DirectMethodStatus.NotConnected);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken);
        }
    }
}
