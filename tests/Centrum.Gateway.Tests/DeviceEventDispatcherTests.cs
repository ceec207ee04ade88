using Centrum.Events;
using Centrum.Gateway.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Centrum.Gateway.Tests;

/// <summary>
/// The server starts its hosted services concurrently. The gateway's dispatcher must hold its event subscription before
/// any service starts, the listeners included, or a desired-property patch for a device that connects at once is lost.
/// </summary>
public sealed class DeviceEventDispatcherTests
{
    [Fact]
    public async Task The_dispatcher_subscribes_before_any_hosted_service_starts_when_the_services_start_concurrently()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.Configure<HostOptions>(o =>
        {
            o.ServicesStartConcurrently = true;
            o.ServicesStopConcurrently = true;
        });
        var events = new CountingEvents();
        builder.Services.AddSingleton<IDeviceEvents>(events);
        builder.Services.AddSingleton<ConnectionRegistry>();
        // Registered first, as the listeners are: with the services started together nothing else orders them.
        var listener = new ListenerProbe(events);
        builder.Services.AddSingleton<IHostedService>(listener);
        builder.Services.AddHostedService<DeviceEventDispatcher>();

        using var host = builder.Build();
        await host.StartAsync();
        await host.StopAsync();

        Assert.Equal(1, listener.SubscriptionsWhenStarted);
        Assert.Equal(1, events.Subscriptions);
    }

    private sealed class CountingEvents : IDeviceEvents
    {
        private readonly DeviceEventBus _bus = new();
        private int _subscriptions;

        public int Subscriptions => Volatile.Read(ref _subscriptions);

        public void Publish(DeviceEvent deviceEvent) => _bus.Publish(deviceEvent);

        public DeviceEventSubscription Subscribe(int capacity = 10_000)
        {
            Interlocked.Increment(ref _subscriptions);
            return _bus.Subscribe(capacity);
        }

        public DeviceEventSubscription SubscribeToDevice(string applicationId, string deviceId, int capacity) => _bus.SubscribeToDevice(applicationId, deviceId, capacity);
    }

    private sealed class ListenerProbe(CountingEvents events) : IHostedService
    {
        public int SubscriptionsWhenStarted { get; private set; } = -1;

        public Task StartAsync(CancellationToken cancellationToken)
        {
            SubscriptionsWhenStarted = events.Subscriptions;
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
