using System.Net;
using System.Security.Cryptography.X509Certificates;
using Centrum.Edge.Buffering;
using Centrum.Edge.Downstream;
using Centrum.Edge.Upstream;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Centrum.Edge;

/// <summary>
/// Composes the edge runtime: its validated options, the store and forward, the device scope, and the downstream MQTT
/// listener (TLS on <see cref="DownstreamOptions.Port"/>, on Kestrel as the server's gateway listens).
/// </summary>
public static class EdgeHost
{
    public static WebApplication Build(string[] args, IEnumerable<KeyValuePair<string, string?>>? settings = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        var services = builder.Services;
        services.AddOptions<EdgeOptions>().BindConfiguration(EdgeOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<MessageStoreOptions>().BindConfiguration(EdgeOptions.Section + ":Store").ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<DownstreamOptions>().BindConfiguration(DownstreamOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddMetrics();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<EdgeMetrics>();
        services.AddSingleton(sp => MessageStore.Open(
            sp.GetRequiredService<IOptions<MessageStoreOptions>>().Value,
            sp.GetRequiredService<EdgeMetrics>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<MessageStore>>()));
        services.AddSingleton<DeviceScope>();
        services.AddSingleton(sp => new DownstreamAuthenticator(
            sp.GetRequiredService<DeviceScope>(), sp.GetRequiredService<IOptions<EdgeOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<DownstreamEndpoint>();

        services.AddOptions<UpstreamOptions>().BindConfiguration(UpstreamOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => new CloudTrust(sp.GetRequiredService<IOptions<UpstreamOptions>>().Value));
        services.AddSingleton<EdgeHubCredentials>();
        services.AddSingleton(sp =>
        {
            var trust = sp.GetRequiredService<CloudTrust>();
            var handler = new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, errors) => trust.Validate(certificate, errors) },
            };
            return new CloudRegistryClient(
                new HttpClient(handler) { Timeout = TimeSpan.FromMinutes(2) },
                sp.GetRequiredService<IOptions<EdgeOptions>>().Value,
                sp.GetRequiredService<IOptions<UpstreamOptions>>().Value,
                sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton(sp => new UpstreamConnections(
            sp.GetRequiredService<IOptions<EdgeOptions>>().Value,
            sp.GetRequiredService<IOptions<UpstreamOptions>>().Value,
            sp.GetRequiredService<CloudTrust>(),
            sp.GetRequiredService<CloudRegistryClient>(),
            sp.GetRequiredService<EdgeHubCredentials>(),
            sp.GetRequiredService<ILogger<UpstreamConnections>>()));
        services.AddHostedService<ScopeRefresher>();
        services.AddHostedService<UpstreamForwarder>();
        services.AddHostedService<StoreExpiry>();

        var downstream = builder.Configuration.GetSection(DownstreamOptions.Section).Get<DownstreamOptions>() ?? new DownstreamOptions();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Parse(downstream.Address), downstream.Port, listen =>
            {
                listen.Protocols = HttpProtocols.None;
                listen.UseHttps(https =>
                {
                    https.ServerCertificate = LoadCertificate(downstream);
                    https.SslProtocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13;
                });
                listen.UseConnectionHandler<DownstreamConnectionHandler>();
            });
        });

        return builder.Build();
    }

    private static X509Certificate2 LoadCertificate(DownstreamOptions options)
    {
        if (string.IsNullOrEmpty(options.CertificatePath) || string.IsNullOrEmpty(options.KeyPath))
        {
            throw new OptionsValidationException(DownstreamOptions.Section, typeof(DownstreamOptions), ["CertificatePath and KeyPath name the PEM files of the downstream listener's certificate."]);
        }

        using var pem = X509Certificate2.CreateFromPemFile(options.CertificatePath, options.KeyPath);
        // SslStream on Linux needs the key in a form it can use for the handshake: a PKCS #12 round trip gives one.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }
}
