using System.Diagnostics;
using Centrum.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Centrum.IntegrationTests.Hosting;

/// <summary>
/// A setting the server cannot run with stops it before it prepares storage or listens, with a message naming the
/// key: every area's options, including those read before the host is built (network, storage, TLS, single sign-on).
/// </summary>
public sealed class OptionsValidationTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "centrum-tests", "options-" + Guid.NewGuid().ToString("N"));

    [Theory]
    // Read before the host is built: listeners, data folder, server certificate, authentication schemes.
    [InlineData("Centrum:Network:MqttPort", "0")]
    [InlineData("Centrum:Network:ListenAddresses:0", "localhost")]
    [InlineData("Centrum:Network:HostNames:0", "not a name")]
    [InlineData("Centrum:Network:ManagementUrl", "http://localhost:9464")]
    [InlineData("Centrum:Network:HttpsPort", "8883")]
    [InlineData("Centrum:Network:AmqpPort", "8883")]
    [InlineData("Centrum:Storage:KeyRingCertificatePath", "missing-key-ring.pfx")]
    [InlineData("Centrum:Tls:CertificatePath", "missing-server.pem")]
    [InlineData("Centrum:Tls:KeyPath", "key-without-certificate.pem")]
    [InlineData("Centrum:Identity:OpenIdConnect:Authority", "not-a-url")]
    // Validated when the host is built, before storage is prepared.
    [InlineData("Centrum:Telemetry:QueueCapacity", "0")]
    [InlineData("Centrum:Query:MaxRows", "0")]
    [InlineData("Centrum:Export:BatchSize", "0")]
    [InlineData("Centrum:Export:MaxBatchSize", "100")]
    [InlineData("Centrum:Provisioning:RequestsPerSecond", "0")]
    [InlineData("Centrum:Applications:DefaultApplicationId", "Not An Id!")]
    [InlineData("Centrum:Identity:Audit:Retention", "00:00:01")]
    [InlineData("Centrum:Identity:SignIn:Window", "00:00:00")]
    [InlineData("Centrum:Commands:MinMessageTtl", "3.00:00:00")]
    [InlineData("Centrum:Storage:GroupCommit:QueueCapacity", "0")]
    [InlineData("Centrum:Storage:GroupCommit:MaxBatchSize", "0")]
    [InlineData("Centrum:Storage:GroupCommit:MaxBatchDelay", "00:00:02")]
    [InlineData("Centrum:Simulation:TelemetryInterval", "00:00:00")]
    [InlineData("Centrum:Simulation:MaxDevicesPerApplication", "-1")]
    [InlineData("Centrum:Simulation:ReconcileInterval", "02:00:00")]
    [InlineData("Centrum:Web:MembershipRevalidation", "00:00:00")]
    [InlineData("Centrum:Web:MapTileUrl", "https://tiles.example.com/tile.png")]
    [InlineData("Centrum:Web:MapTileUrl", "ftp://tiles.example.com/{z}/{x}/{y}.png")]
    [InlineData("Centrum:Web:MapTileUrl", "javascript:alert('{z}{x}{y}')")]
    public void An_invalid_setting_stops_the_start_naming_its_key(string key, string value)
    {
        var refused = Assert.ThrowsAny<Exception>(() => CentrumHost.Build([$"--Centrum:Storage:DataFolder={_folder}", $"--{key}={value}"]));
        var invalid = StartupFailure.Find(refused);
        Assert.NotNull(invalid);
        Assert.Contains(invalid.Failures, f => f.StartsWith(key + ":", StringComparison.Ordinal));

        // Nothing was prepared: no metadata database was created for a server that cannot run.
        Assert.False(File.Exists(Path.Combine(_folder, "centrum.db")));
    }

    [Fact]
    public void A_map_tile_url_template_starts()
    {
        var app = CentrumHost.Build([$"--Centrum:Storage:DataFolder={_folder}", "--Centrum:Web:MapTileUrl=https://tiles.example.com/{z}/{x}/{y}.png"]);
        var options = (IOptions<Centrum.Web.WebOptions>)app.Services.GetService(typeof(IOptions<Centrum.Web.WebOptions>))!;
        Assert.Equal("https://tiles.example.com/{z}/{x}/{y}.png", options.Value.MapTileUrl);
    }

    [Fact]
    public void The_defaults_start()
    {
        var app = CentrumHost.Build([$"--Centrum:Storage:DataFolder={_folder}", "--Centrum:Network:ListenAddresses:0=127.0.0.1"]);
        Assert.NotNull(app.Services.GetService(typeof(IOptions<Centrum.Hosting.NetworkOptions>)));
    }

    [Fact]
    public async Task The_server_process_exits_with_code_2_and_names_the_key()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Repository.ServerAssembly);
        start.ArgumentList.Add($"--Centrum:Storage:DataFolder={_folder}");
        start.ArgumentList.Add("--Centrum:Network:ListenAddresses:0=127.0.0.1");
        start.ArgumentList.Add("--Centrum:Telemetry:MaxBatchSize=0");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(StartupFailure.InvalidConfigurationExitCode, process.ExitCode);
        var message = await error;
        Assert.Contains("Centrum cannot start: the configuration is not valid.", message, StringComparison.Ordinal);
        Assert.Contains("Centrum:Telemetry:MaxBatchSize:", message, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", message, StringComparison.Ordinal);
        Assert.DoesNotContain("ready", await output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
