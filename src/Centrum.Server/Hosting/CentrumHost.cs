using System.Net;
using Centrum.Api;
using Centrum.Api.Infrastructure;
using Centrum.Commands;
using Centrum.Events;
using Centrum.Devices;
using Centrum.Gateway;
using Centrum.Dashboards;
using Centrum.Groups;
using Centrum.Jobs;
using Centrum.Gateway.Https;
using Centrum.Gateway.Transport;
using Centrum.Hosting;
using Centrum.Identity;
using Centrum.Identity.Applications;
using Centrum.Provisioning;
using Centrum.Server.Tls;
using Centrum.Storage;
using Centrum.Export;
using Centrum.Server.Administration;
using Centrum.Simulation;
using Centrum.Telemetry;
using Centrum.Templates;
using Centrum.Twins;
using Centrum.Web;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Options;

namespace Centrum.Server.Hosting;

/// <summary>Composes the areas into one server process.</summary>
internal static class CentrumHost
{
    /// <summary>Everything but the network: used by the server and by the command-line verbs.</summary>
    public static void AddCentrumCore(IServiceCollection services, IConfiguration configuration)
    {
        services.AddSectionOptions<NetworkOptions>(configuration, NetworkOptions.Section);
        services.AddSingleton(TimeProvider.System);
        services.AddCentrumStorage(configuration);
        services.AddMetadataAreas();
        services.AddCentrumIdentity(configuration);
        services.AddCentrumDevices();
        services.AddSingleton<IDeviceEvents, DeviceEventBus>();
        services.AddCentrumTwins();
        services.AddCentrumCommands(configuration);
        services.AddCentrumProvisioning(configuration);
        services.AddCentrumTemplates();
        services.AddCentrumGroups();
        services.AddCentrumJobs(configuration);
        services.AddCentrumDashboards(configuration);
    }

    public static WebApplication Build(string[] args)
    {
        // The server's own name even when another program builds the host (a test reading its endpoint table): the web
        // application's static assets are found through the manifest named after it.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ApplicationName = typeof(CentrumHost).Assembly.GetName().Name });
        // Defaults below every other source, so appsettings.json, the environment and the command line override them;
        // they hold when appsettings.json is not in the content root (dotnet run from the repository root).
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = QuietLogging });
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.UseUtcTimestamp = true;
        });

        // The hosted services have no start or stop order among them, so the host starts and stops them together:
        // the listeners (Kestrel), Data Protection's key ring, the metrics provider, the export runner and the
        // retention workers. Storage is brought to its schema before any of them starts (PrepareAsync). The one order
        // that matters, the gateway's event subscription before the listeners accept a device, is kept by
        // IHostedLifecycleService.StartingAsync, which the host completes for every service before starting any.
        builder.Services.Configure<HostOptions>(o =>
        {
            o.ServicesStartConcurrently = true;
            o.ServicesStopConcurrently = true;
        });
        AddCentrumCore(builder.Services, builder.Configuration);
        builder.Services.AddCentrumTelemetry(builder.Configuration);
        builder.Services.AddCentrumGateway(builder.Configuration);
        builder.Services.AddCentrumExport(builder.Configuration);
        builder.Services.AddCentrumSimulation(builder.Configuration);
        builder.Services.AddCentrumApi();
        builder.Services.AddCentrumWeb(builder.Configuration);

        // The web application's CSS and JavaScript (its own and its packages') from where the build left them; a
        // published server has them in wwwroot and this finds no manifest to read.
        builder.WebHost.UseStaticWebAssets();
        builder.Services.AddSectionOptions<TlsOptions>(builder.Configuration, TlsOptions.Section);
        builder.AddCentrumObservability();

        // Needed before the host exists (listeners, certificate): validated here by the same rules ValidateOnStart applies.
        var network = builder.Configuration.GetValidated<NetworkOptions>(NetworkOptions.Section);
        var storage = builder.Configuration.GetValidated<StorageOptions>(StorageOptions.Section);
        var tls = builder.Configuration.GetValidated<TlsOptions>(TlsOptions.Section);
        var addresses = network.EffectiveListenAddresses.Select(IPAddress.Parse).ToList();
        var (certificate, caPath) = ServerCertificates.Load(tls, network, storage, addresses);
        var management = new Uri(network.ManagementUrl);

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 4 * 1024 * 1024;
            void Https(HttpsConnectionAdapterOptions o)
            {
                o.ServerCertificate = certificate;
                o.SslProtocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13;
                // Ask for a client certificate in the first handshake but decide after CONNECT: SAS devices send none
                // (IoT Hub docs "Transport Layer Security (TLS) support in IoT Hub").
                o.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                o.AllowAnyClientCertificate();

                // The handshake builds a chain for the client's certificate too: it must not fetch the certificate's
                // AIA or CRL URLs for an unauthenticated caller.
                o.CheckCertificateRevocation = false;
                o.OnAuthenticate = (_, ssl) => ssl.CertificateChainPolicy = Centrum.Provisioning.Certificates.CertificateText.OfflinePolicy();
            }

            foreach (var address in addresses)
            {
                kestrel.Listen(address, network.MqttPort, listen =>
                {
                    listen.Protocols = HttpProtocols.None;
                    listen.UseIotHubAdmission();
                    listen.UseHttps(Https);
                    listen.UseIotHubMqtt();
                });
                kestrel.Listen(address, network.AmqpPort, listen =>
                {
                    listen.Protocols = HttpProtocols.None;
                    listen.UseIotHubAdmission();
                    listen.UseHttps(Https);
                    listen.UseIotHubAmqp();
                });
                kestrel.Listen(address, network.HttpsPort, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1AndHttp2;
                    listen.UseHttps(Https);
                });
            }

            kestrel.Listen(IPAddress.Parse(management.Host), management.Port, listen => listen.Protocols = HttpProtocols.Http1);
        });

        builder.Services.AddSingleton(new ServerEndpoints(caPath, management.Port)
        {
            Mqtt = string.Join(", ", addresses.Select(a => $"mqtts://{Display(a)}:{network.MqttPort}")),
            Https = string.Join(", ", addresses.Select(a => $"https://{Display(a)}:{network.HttpsPort}")),
            Management = network.ManagementUrl,
        });
        // Simulated devices dial this server's own MQTT listener and trust exactly the certificate it presents.
        builder.Services.AddSingleton(new SimulationEndpoint(SimulationEndpoint.Dialable(addresses[0]), network.MqttPort, certificate));
        builder.Services.AddSingleton<Administration.ApplicationLifecycle>();
        var app = builder.Build();

        // Every area's options (ValidateOnStart) before storage is prepared: a bad setting must stop the server
        // before migrations or the default application touch the data folder.
        app.Services.GetRequiredService<IStartupValidator>().Validate();
        app.UseWebSockets();
        app.Use(SeparateManagementPort(management.Port));
        app.UseCentrumBindingErrors();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapIotHubWebSocket();
        app.MapIotHubHttps();
        app.MapIotHubFileUploads();
        app.MapCentrumApi();
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready").AllowAnonymous();
        app.MapPrometheusScrapingEndpoint("/metrics").AllowAnonymous();
        app.MapAdministrationApi();
        app.MapCentrumWeb();
        return app;
    }

    /// <summary>
    /// The default log: what the server does, not what its libraries do. EF Core's commands (Information) would print
    /// every SQL statement, ASP.NET Core's request lines one per health probe and the host's lifetime lines repeat the
    /// ready message; each can be raised again under <c>Logging:LogLevel</c>.
    /// </summary>
    private static readonly Dictionary<string, string?> QuietLogging = new()
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",

        // The web application's static assets are exactly those its build lists: no file served from disk by a path
        // the manifest does not name (a catch-all route beside the API's), no re-reading of assets for hot reload.
        ["DisableStaticAssetNotFoundRuntimeFallback"] = "true",
        ["ReloadStaticAssetsAtRuntime"] = "false",
    };

    private static string Display(IPAddress address) =>
        address.Equals(IPAddress.Any) ? "0.0.0.0 (every interface)" : address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();

    /// <summary>
    /// Brings storage to the current schema and creates the default application; runs before listening. A first start
    /// (a store without applications) offers the default application the simulated-device demo.
    /// </summary>
    public static async Task PrepareAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await services.GetRequiredService<StorageInitializer>().InitializeAsync(cancellationToken);
        var firstStart = (await services.GetRequiredService<Centrum.Applications.IApplicationCatalog>().ListAsync(cancellationToken)).Count == 0;
        var application = await services.GetRequiredService<ApplicationAdministration>().EnsureDefaultAsync(cancellationToken);
        if (firstStart && services.GetService<SimulationDemo>() is { } demo)
        {
            await demo.OfferAsync(application.Id, cancellationToken);
        }
    }

    /// <summary>Health, metrics and the administration API only on the management port; the API and devices never on it.</summary>
    private static Func<HttpContext, RequestDelegate, Task> SeparateManagementPort(int managementPort) => (context, next) =>
    {
        var onManagement = context.Connection.LocalPort == managementPort;
        var managementPath = context.Request.Path.StartsWithSegments("/health") || context.Request.Path.StartsWithSegments("/metrics")
            || context.Request.Path.StartsWithSegments("/admin");
        if (onManagement != managementPath)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        return next(context);
    };
}

internal sealed record ServerEndpoints(string? CaCertificatePath, int ManagementPort)
{
    public string Mqtt { get; init; } = "";

    public string Https { get; init; } = "";

    public string Management { get; init; } = "";
}
