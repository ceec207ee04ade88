using System.Diagnostics.Metrics;
using System.Text;
using Centrum.Applications;
using Centrum.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Centrum.Telemetry.Tests;

/// <summary>Retention deletes each application's expired telemetry and keeps the sequence going.</summary>
public sealed class RetentionTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "centrum-retention-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Expired_telemetry_is_deleted_per_application_and_sequences_are_not_reused()
    {
        var storage = Options.Create(new StorageOptions { DataFolder = _folder });
        var options = Options.Create(new TelemetryOptions());
        await using var ingest = new TelemetryIngest(storage, options, new TelemetryMetrics(new MeterFactory()), new Centrum.Events.DeviceEventBus(), NullLogger<TelemetryIngest>.Instance);
        foreach (var application in new[] { "keeps-30-days", "keeps-5-days" })
        {
            foreach (var age in new[] { 40, 10, 1 })
            {
                var stored = await ingest.SubmitAsync(new TelemetryMessage
                {
                    ApplicationId = application, DeviceId = "d", ContentType = "application/json",
                    Body = Encoding.UTF8.GetBytes($$"""{"age":{{age}}}"""), EnqueuedTime = Now.AddDays(-age),
                }, true, CancellationToken.None);
                await stored!;
            }
        }

        var catalog = new Catalog(
            new Application("keeps-30-days", "A", "a.test", "0neA", false),
            new Application("keeps-5-days", "B", "b.test", "0neB", false, TelemetryRetention: TimeSpan.FromDays(5)));
        var worker = new RetentionWorker(ingest, catalog, options, new FixedTime(Now), NullLogger<RetentionWorker>.Instance);
        Assert.True(await worker.RunOnceAsync(CancellationToken.None) > 0);

        Assert.Equal([10L, 1L], Ages(ingest, "keeps-30-days"));
        Assert.Equal([1L], Ages(ingest, "keeps-5-days"));

        var next = await ingest.SubmitAsync(new TelemetryMessage { ApplicationId = "keeps-5-days", DeviceId = "d", Body = "{}"u8.ToArray(), EnqueuedTime = Now }, true, CancellationToken.None);
        Assert.Equal(4, (await next!).Sequence);
    }

    private static List<long> Ages(TelemetryIngest ingest, string application)
    {
        using var connection = ingest.Store(application).OpenReadConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT CAST(value_number AS BIGINT) FROM telemetry WHERE name = 'age' ORDER BY seq";
        using var reader = command.ExecuteReader();
        var ages = new List<long>();
        while (reader.Read())
        {
            ages.Add(reader.GetInt64(0));
        }

        return ages;
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

    /// <summary>An in-memory application catalog: the metadata store is not what this test is about.</summary>
    private sealed class Catalog(params Application[] applications) : IApplicationCatalog
    {
        public ValueTask<Application?> FindByIdAsync(string applicationId, CancellationToken cancellationToken = default) => ValueTask.FromResult(applications.FirstOrDefault(a => a.Id == applicationId));

        public ValueTask<Application?> FindByHubHostAsync(string hubHostName, CancellationToken cancellationToken = default) => ValueTask.FromResult(applications.FirstOrDefault(a => a.HubHostName == hubHostName));

        public ValueTask<Application?> FindByIdScopeAsync(string idScope, CancellationToken cancellationToken = default) => ValueTask.FromResult(applications.FirstOrDefault(a => a.IdScope == idScope));

        public ValueTask<IReadOnlyList<Application>> ListAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult<IReadOnlyList<Application>>(applications);

        public void Forget(string applicationId)
        {
            // Nothing is cached: the applications are fixed for the test.
        }
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private sealed class MeterFactory : IMeterFactory
    {
        public Meter Create(MeterOptions options) => new(options);

        public void Dispose()
        {
        }
    }
}
