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

        ValidateSettings(builder.Configuration);
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

        var app = builder.Build();
        // Every section is checked before the listener loads its certificate or the store opens its file: a bad
        // setting stops the edge with all the settings at fault named at once.
        app.Services.GetRequiredService<IStartupValidator>().Validate();
        return app;
    }

    /// <summary>
    /// Checks every section before the listener is configured (Kestrel loads the certificate while the host is built),
    /// so one start names every setting at fault.
    /// </summary>
    private static void ValidateSettings(ConfigurationManager configuration)
    {
        var failures = new List<string>();
        void Check<T>(string section)
            where T : new()
        {
            var options = configuration.GetSection(section).Get<T>() ?? new T();
            var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
            System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), results, validateAllProperties: true);
            failures.AddRange(results.Select(r => $"{section}:{string.Join(", ", r.MemberNames)}: {r.ErrorMessage}"));
        }

        Check<EdgeOptions>(EdgeOptions.Section);
        Check<MessageStoreOptions>(EdgeOptions.Section + ":Store");
        Check<UpstreamOptions>(UpstreamOptions.Section);
        Check<DownstreamOptions>(DownstreamOptions.Section);
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(EdgeOptions.Section, typeof(EdgeOptions), failures);
        }
    }

    private static X509Certificate2 LoadCertificate(DownstreamOptions options)
    {
        if (string.IsNullOrEmpty(options.CertificatePath) || string.IsNullOrEmpty(options.KeyPath))
        {
            throw new OptionsValidationException(DownstreamOptions.Section, typeof(DownstreamOptions), ["Edge:Downstream:CertificatePath and KeyPath must name the PEM files of the downstream listener's certificate."]);
        }

        foreach (var (setting, path) in new[] { ("CertificatePath", options.CertificatePath), ("KeyPath", options.KeyPath) })
        {
            if (!File.Exists(path))
            {
                throw new OptionsValidationException(DownstreamOptions.Section, typeof(DownstreamOptions), [$"Edge:Downstream:{setting}: no file at '{path}'."]);
            }
        }

        using var pem = X509Certificate2.CreateFromPemFile(options.CertificatePath, options.KeyPath);
        // SslStream on Linux needs the key in a form it can use for the handshake: a PKCS #12 round trip gives one.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }
}
