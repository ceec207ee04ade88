using System.Text.Json.Nodes;
using Centrum.Events;
using Microsoft.Extensions.Hosting;

namespace Centrum.Gateway.Sessions;

/// <summary>
/// Turns device events into traffic on the connections this node holds: desired-property patches for devices that
/// listen for them, and a wake-up for the cloud-to-device queue. Events arrive in commit order, so patches reach a
/// device in version order.
/// </summary>
internal sealed class DeviceEventDispatcher(IDeviceEvents events, ConnectionRegistry connections) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = events.Subscribe(100_000);
        try
        {
            await foreach (var deviceEvent in subscription.Reader.ReadAllAsync(stoppingToken))
            {
                if (deviceEvent.Kind is not (DeviceEventKind.DesiredPropertiesChanged or DeviceEventKind.CloudToDeviceEnqueued))
                {
                    continue;
                }

                var clientId = deviceEvent.ModuleId is null ? deviceEvent.DeviceId : $"{deviceEvent.DeviceId}/{deviceEvent.ModuleId}";
                if (connections.Find(deviceEvent.ApplicationId, clientId) is not { } connection)
                {
                    continue;
                }

                switch (deviceEvent.Kind)
                {
                    case DeviceEventKind.DesiredPropertiesChanged when deviceEvent.Data is JsonObject data && data["patch"] is JsonObject patch:
                        connection.SendDesiredPatch(data["version"]!.GetValue<long>(), patch);
                        break;
                    case DeviceEventKind.CloudToDeviceEnqueued:
                        connection.SignalCloudToDevice();
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
