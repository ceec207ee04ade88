using Centrum.Applications;
using Centrum.Commands;
using Centrum.Devices;
using Centrum.Gateway.Authentication;
using Centrum.Gateway.Handlers;
using Centrum.Gateway.Sessions;
using Centrum.IotHub;
using Centrum.IotHub.Connections;
using Centrum.IotHub.Mqtt;
using Centrum.Provisioning.Registration;
using Centrum.Telemetry;
using Centrum.Twins;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Centrum.Gateway.Internal;

/// <summary>
/// What every connection needs, resolved once; to the MQTT connection loop it is the cloud's endpoint
/// (<see cref="IMqttEndpoint"/>): a CONNECT opens a device (or module) session or, with DPS's user name, a
/// provisioning session, and the connection's outcomes go to the gateway's log events and meter.
/// </summary>
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
    ILogger<GatewayServices> logger) : IMqttEndpoint
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

    public MqttConnectionLimits Limits { get; } = new(options.Value.ConnectTimeout, options.Value.OutboundQueueCapacity, options.Value.OutboundQueueBytes);

    public async ValueTask<ConnectOutcome> ConnectAsync(MqttConnection connection, ConnectPacket connect, CancellationToken cancellationToken) =>
        DpsTopics.ParseUserName(connect.UserName) is { } dps
            ? await ProvisioningHandler.ConnectAsync(this, connection, connect, dps.IdScope, dps.RegistrationId, cancellationToken)
            : await DeviceSession.ConnectAsync(this, connection, connect, cancellationToken);

    public void ConnectRefused(MqttConnection connection, string clientId, ConnectReturnCode code, string reason)
    {
        Log.Refused(Logger, connection.Remote, clientId, code.ToString(), reason);
        Metrics.Refused(code.ToString());
    }

    public void ProtocolViolation(MqttConnection connection, string reason)
    {
        Log.ProtocolViolation(Logger, connection.Remote, reason);
        Metrics.Refused(reason);
    }

    public void Acknowledged(TimeSpan elapsed) => Metrics.Acknowledged(elapsed);

    public void Ended(MqttConnection connection, string reason) => Log.ConnectionEnded(Logger, connection.Remote, reason);

    public void Failed(MqttConnection connection, Exception exception) => Log.ConnectionFailed(Logger, exception, connection.Remote);

    public void StoppedByClose(MqttConnection connection, Exception exception) => Log.HandlerStoppedByClose(Logger, connection.Remote, exception.GetType().Name);
}
