using System.Collections.Concurrent;
using Centrum.Applications;
using Centrum.Devices;
using Centrum.Identity.ApiTokens;
using Centrum.Identity.Authorization;
using Centrum.Organizations;
using Centrum.Provisioning.EnrollmentGroups;
using Centrum.Provisioning.Registration;
using Centrum.Security;
using Centrum.Server.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Centrum.IntegrationTests.Observability;

/// <summary>
/// The areas log what an operator needs when keys and tokens change hands, and never the keys or tokens themselves:
/// every message and every structured value logged at any level while API tokens are issued, device keys replaced
/// and devices provisioned through an enrollment group is searched for the secrets involved.
/// </summary>
public sealed class SecretLoggingTests : IAsyncLifetime
{
    private const string Application = "default";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "centrum-tests", "secret-logs-" + Guid.NewGuid().ToString("N"));
    private readonly CapturingLoggerProvider _logs = new();
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Centrum:Storage:DataFolder"] = _folder }).Build();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(_logs));
        services.AddSingleton<IConfiguration>(configuration);
        CentrumHost.AddCentrumCore(services, configuration);
        services.AddSingleton<IDeviceConnections, NoGateway>();
        _services = services.BuildServiceProvider();
        await CentrumHost.PrepareAsync(_services, CancellationToken.None);
    }

    [Fact]
    public async Task Tokens_keys_and_signatures_never_reach_the_log_while_the_changes_do()
    {
        var tokens = _services.GetRequiredService<ApiTokenService>();
        var created = await tokens.CreateAsync(Application, "ops-token", [new RoleAssignment(BuiltInRoles.AppOperator)], null, CallerHoldings.Operator, CancellationToken.None);
        Assert.True(created.Succeeded);
        var issued = created.Value;
        var verified = await tokens.VerifyAsync(issued.Token!, CancellationToken.None);
        Assert.True(verified.Succeeded);
        var forged = SharedAccessSignature.Create(Application, Convert.FromBase64String(SymmetricKeys.Generate()), issued.Expiry.ToUnixTimeMilliseconds(), "ops-token");
        Assert.False((await tokens.VerifyAsync(forged, CancellationToken.None)).Succeeded);
        Assert.True((await tokens.DeleteAsync(Application, "ops-token", CallerHoldings.Operator, CancellationToken.None)).Succeeded);

        var devices = _services.GetRequiredService<DeviceRegistry>();
        Assert.True((await devices.CreateOrReplaceAsync(Application, "keyed-1", new DeviceWrite("Keyed", null, true, false, []), null, OrganizationReach.WholeApplication, CancellationToken.None)).Succeeded);
        var replaced = new DeviceKeys(SymmetricKeys.Generate(), SymmetricKeys.Generate());
        Assert.True((await devices.SetAttestationAsync(Application, "keyed-1", new DeviceAttestation("symmetricKey", replaced, null, null), OrganizationReach.WholeApplication, CancellationToken.None)).Succeeded);
        var generated = (await devices.CredentialsAsync(Application, "keyed-1", OrganizationReach.WholeApplication, CancellationToken.None)).Value;

        var groupKey = SymmetricKeys.Generate();
        var groupSecondary = SymmetricKeys.Generate();
        var groups = _services.GetRequiredService<EnrollmentGroupService>();
        var group = await groups.CreateOrReplaceAsync(Application, "fleet", new EnrollmentGroupWrite("Fleet", true, "iot", "symmetricKey", groupKey, groupSecondary), OrganizationReach.WholeApplication, CancellationToken.None);
        Assert.True(group.Succeeded);

        var application = (await _services.GetRequiredService<IApplicationCatalog>().FindByIdAsync(Application))!;
        var deviceKey = SymmetricKeys.DeriveDeviceKey(groupKey, "fleet-7");
        var expiry = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        var sas = SharedAccessSignature.Create($"{application.IdScope}/registrations/fleet-7", Convert.FromBase64String(deviceKey), expiry, "registration");
        var wrongSas = SharedAccessSignature.Create($"{application.IdScope}/registrations/fleet-8", Convert.FromBase64String(SymmetricKeys.Generate()), expiry, "registration");
        var registration = _services.GetRequiredService<RegistrationService>();
        Assert.Equal(202, (await registration.RegisterAsync(application, "fleet-7", sas, null, null, CancellationToken.None)).Status);
        Assert.Equal(401, (await registration.RegisterAsync(application, "fleet-8", wrongSas, null, null, CancellationToken.None)).Status);

        // The changes are there, each under its own area's event id.
        Assert.Contains(_logs.Entries, e => e.EventId == 7001 && e.Text.Contains("ops-token", StringComparison.Ordinal));
        Assert.Contains(_logs.Entries, e => e.EventId == 7002);
        Assert.Contains(_logs.Entries, e => e.EventId == 7004);
        Assert.Contains(_logs.Entries, e => e.EventId == 2001);
        Assert.Contains(_logs.Entries, e => e.EventId == 2005 && e.Text.Contains("keyed-1", StringComparison.Ordinal));
        Assert.Contains(_logs.Entries, e => e.EventId == 5510 && e.Text.Contains("fleet", StringComparison.Ordinal));
        Assert.Contains(_logs.Entries, e => e.EventId == 5501 && e.Text.Contains("fleet-7", StringComparison.Ordinal));
        Assert.Contains(_logs.Entries, e => e.EventId == 5502 && e.Level == LogLevel.Warning && e.Text.Contains("fleet-8", StringComparison.Ordinal));

        // None of the secrets, nor the signature part of any token, in any message or value.
        var signature = issued.Token!.Split('&').Single(p => p.StartsWith("sig=", StringComparison.Ordinal))[4..];
        string[] secrets =
        [
            issued.Token!, forged, signature, replaced.PrimaryKey, replaced.SecondaryKey, generated!.PrimaryKey, generated.SecondaryKey,
            groupKey, groupSecondary, deviceKey, sas, wrongSas,
        ];
        Assert.NotEmpty(_logs.Entries);
        foreach (var entry in _logs.Entries)
        {
            foreach (var secret in secrets)
            {
                Assert.DoesNotContain(secret, entry.Text, StringComparison.Ordinal);
                Assert.DoesNotContain(Uri.UnescapeDataString(secret), entry.Text, StringComparison.Ordinal);
            }
        }
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    /// <summary>This composition has no device endpoint, so no device is ever connected to it.</summary>
    private sealed class NoGateway : IDeviceConnections
    {
        public ValueTask DisconnectAsync(string applicationId, string deviceId, string reason) => ValueTask.CompletedTask;

        public ValueTask DisconnectCredentialAsync(string applicationId, string credentialSource, string reason) => ValueTask.CompletedTask;

        public ValueTask DisconnectApplicationAsync(string applicationId, string reason) => ValueTask.CompletedTask;

        public bool IsConnected(string applicationId, string deviceId) => false;

        public IReadOnlyCollection<string> ConnectedDevices(string applicationId) => [];
    }

    /// <summary>Every log entry, as its formatted message followed by each structured value.</summary>
    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<Entry> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Capturing(this);

        public void Dispose()
        {
        }

        public sealed record Entry(int EventId, LogLevel Level, string Text);

        private sealed class Capturing(CapturingLoggerProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var text = formatter(state, exception);
                if (state is IEnumerable<KeyValuePair<string, object?>> values)
                {
                    text += " | " + string.Join(" | ", values.Select(v => $"{v.Key}={v.Value}"));
                }

                owner.Entries.Enqueue(new Entry(eventId.Id, logLevel, text + (exception is null ? "" : " | " + exception)));
            }
        }
    }
}
