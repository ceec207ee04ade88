using Centrum.Applications;
using Centrum.Commands;
using Centrum.Provisioning.Registration;
using Centrum.Devices;
using Centrum.Gateway.Authentication;
using Centrum.Gateway.Sessions;
using Centrum.Telemetry;
using Centrum.Twins;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Centrum.Gateway.Internal;

/// <summary>What every connection needs, resolved once.</summary>
internal sealed class GatewayServices(
    DeviceAuthenticator authenticator,
    SessionStore sessions,
    ConnectionRegistry connections,
    TelemetryIngest telemetry,
    DeviceRegistry devices,
    TwinService twins,
    CloudToDeviceQueue cloudToDevice,
    Handlers.CloudToDeviceLocks cloudToDeviceLocks,
    RegistrationService registrations,
    IApplicationCatalog applications,
    GatewayMetrics metrics,
    IOptions<GatewayOptions> options,
    TimeProvider time,
    ILogger<Connections.MqttConnection> logger)
{
    public DeviceAuthenticator Authenticator { get; } = authenticator;

    public SessionStore Sessions { get; } = sessions;

    public ConnectionRegistry Connections { get; } = connections;

    public TelemetryIngest Telemetry { get; } = telemetry;

    public DeviceRegistry Devices { get; } = devices;

    public TwinService Twins { get; } = twins;

    public CloudToDeviceQueue CloudToDevice { get; } = cloudToDevice;

    public Handlers.CloudToDeviceLocks CloudToDeviceLocks { get; } = cloudToDeviceLocks;

    public RegistrationService Registrations { get; } = registrations;

    public IApplicationCatalog Applications { get; } = applications;

    public GatewayMetrics Metrics { get; } = metrics;

    public GatewayOptions Options { get; } = options.Value;

    public TimeProvider Time { get; } = time;

    public ILogger Logger { get; } = logger;

    /// <summary>Admits new connections at <see cref="GatewayOptions.ConnectionsPerSecond"/>.</summary>
    public System.Threading.RateLimiting.RateLimiter ConnectionRate { get; } = new System.Threading.RateLimiting.TokenBucketRateLimiter(new()
    {
        TokenLimit = options.Value.ConnectionsPerSecond,
        TokensPerPeriod = options.Value.ConnectionsPerSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    });
}
