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
        services.AddSingleton<GatewayServices>();
        services.AddSingleton<IDirectMethodInvoker, GatewayMethodInvoker>();
        services.AddHostedService<DeviceEventDispatcher>();
        return services;
    }

    /// <summary>Serves MQTT on a Kestrel listener (already wrapped in TLS by the host).</summary>
    public static IConnectionBuilder UseIotHubMqtt(this IConnectionBuilder builder) =>
        builder.UseConnectionHandler<MqttConnectionHandler>();
}
