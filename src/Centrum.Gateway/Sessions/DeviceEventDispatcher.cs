using System.Text.Json.Nodes;
using Centrum.Events;
using Microsoft.Extensions.Hosting;

namespace Centrum.Gateway.Sessions;

/// <summary>
/// Turns device events into traffic on the connections this node holds: desired-property patches for devices that
/// listen for them, and a wake-up for the cloud-to-device queue. Events arrive in commit order, so patches reach a
/// device in version order.
/// </summary>
internal sealed class DeviceEventDispatcher(IDeviceEvents events, ConnectionRegistry connections) : BackgroundService, IHostedLifecycleService
{
    /// <summary>Events per subscription before the oldest live ones are dropped (devices read them back on reconnect).</summary>
    private const int Capacity = 100_000;

    private DeviceEventSubscription? _subscription;

    /// <summary>
    /// Subscribes before any hosted service starts, the listeners included: the host completes every
    /// <see cref="IHostedLifecycleService.StartingAsync"/> before it calls any <c>StartAsync</c>, also when the services
    /// start concurrently, while <see cref="ExecuteAsync"/> runs on the thread pool (since .NET 10) with no order to the
    /// listeners. A patch for a device that connects at once therefore reaches it.
    /// </summary>
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        _subscription ??= events.Subscribe(Capacity);
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = _subscription ?? events.Subscribe(Capacity);
        _subscription = null;
        try
        {
            await foreach (var deviceEvent in subscription.Reader.ReadAllAsync(stoppingToken))
            {
                if (deviceEvent.Kind is not (DeviceEventKind.DesiredPropertiesChanged or DeviceEventKind.CloudToDeviceEnqueued))
                {
                    continue;
                }

                var clientId = deviceEvent.ModuleId is null ? deviceEvent.DeviceId : $"{deviceEvent.DeviceId}/{deviceEvent.ModuleId}";
                if (connections.Find(deviceEvent.ApplicationId, clientId) is not { } session)
                {
                    continue;
                }

                switch (deviceEvent.Kind)
                {
                    case DeviceEventKind.DesiredPropertiesChanged when deviceEvent.Data is JsonObject data && data["patch"] is JsonObject patch:
                        session.PushDesired(data["version"]!.GetValue<long>(), patch);
                        break;
                    case DeviceEventKind.CloudToDeviceEnqueued:
                        session.SignalCloudToDevice();
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
