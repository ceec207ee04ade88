using Centrum.Commands;
using Centrum.Devices;
using Centrum.Gateway.Authentication;
using Centrum.Gateway.Internal;
using Centrum.Gateway.Sessions;
using Centrum.Gateway.Transport;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.Gateway;

public static class GatewayServiceCollectionExtensions
{
    public static IServiceCollection AddCentrumGateway(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<GatewayOptions>().Bind(configuration.GetSection(GatewayOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddMetrics();
        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton<ConnectionRegistry>();
        services.AddSingleton<IDeviceConnections>(sp => sp.GetRequiredService<ConnectionRegistry>());
        services.AddSingleton<SessionStore>();
        services.AddSingleton<DeviceAuthenticator>();
        services.AddSingleton<Handlers.CloudToDeviceLocks>();
        services.AddSingleton<GatewayServices>();
        services.AddSingleton<ConnectionAdmission>();
        services.AddSingleton<IDirectMethodInvoker, GatewayMethodInvoker>();
        services.AddSingleton<Amqp.AmqpGateway>();
        services.AddHostedService<DeviceEventDispatcher>();
        return services;
    }

    /// <summary>
    /// Admission for the MQTT listener (<see cref="ConnectionAdmission"/>): call it before <c>UseHttps</c>, so a
    /// connection that is refused costs no TLS handshake and a silent one is closed when its connect deadline passes.
    /// </summary>
    public static IConnectionBuilder UseIotHubAdmission(this IConnectionBuilder builder)
    {
        var services = builder.ApplicationServices;
        var admission = services.GetRequiredService<ConnectionAdmission>();
        var options = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<GatewayOptions>>();
        var time = services.GetRequiredService<TimeProvider>();
        var logger = services.GetRequiredService<Microsoft.Extensions.Logging.ILogger<ConnectionAdmission>>();
        return builder.Use(next => AdmissionMiddleware.Create(next, admission, options, time, logger));
    }

    /// <summary>Serves MQTT on a Kestrel listener (already wrapped in TLS by the host).</summary>
    public static IConnectionBuilder UseIotHubMqtt(this IConnectionBuilder builder) =>
        builder.UseConnectionHandler<MqttConnectionHandler>();

    /// <summary>Serves IoT Hub's AMQP 1.0 dialect on a Kestrel listener (already wrapped in TLS by the host).</summary>
    public static IConnectionBuilder UseIotHubAmqp(this IConnectionBuilder builder) =>
        builder.UseConnectionHandler<Amqp.AmqpConnectionHandler>();
}
