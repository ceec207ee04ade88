using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using Centrum.Storage;
using DuckDB.NET.Data;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Centrum.Telemetry.Tests;

/// <summary>
/// Each message keeps the trace it was submitted in (W3C Trace Context <c>traceparent</c>, section 3.2), in a column a
/// store written before traces existed gains on open; its commit is a span of that trace.
/// </summary>
public sealed class TraceContextStorageTests : IDisposable
{
    private const string Application = "traced-app";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "centrum-telemetry-tests", Guid.NewGuid().ToString("N"));
    private readonly ActivitySource _publisher = new("Centrum.Telemetry.Tests.Publisher");
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;

    public TraceContextStorageTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == TelemetryTracing.SourceName || source == _publisher,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    [Fact]
    public async Task A_store_from_before_traces_keeps_its_messages_and_each_new_message_its_own_trace()
    {
        var storage = new StorageOptions { DataFolder = _folder };
        CreateStoreWithoutTraceColumn(storage.ApplicationFolder(Application));

        await using var ingest = new TelemetryIngest(Options.Create(storage), Options.Create(new TelemetryOptions()), new TelemetryMetrics(new MeterFactory()),
            new Centrum.Events.DeviceEventBus(), NullLogger<TelemetryIngest>.Instance);

        // Many publishers in one batch, each in its own trace: each commit span belongs to its own message's trace.
        var traces = new List<ActivityTraceId>();
        var pending = new List<Task<StoreResult>>();
        for (var i = 0; i < 20; i++)
        {
            using var publish = _publisher.StartActivity("mqtt.publish")!;
            traces.Add(publish.TraceId);
            pending.Add((await ingest.SubmitAsync(Message($$"""{"n":{{i}}}"""), waitForRoom: true, CancellationToken.None))!);
        }

        var untraced = (await ingest.SubmitAsync(Message("""{"n":"untraced"}"""), waitForRoom: true, CancellationToken.None))!;
        var sequences = (await Task.WhenAll(pending)).Select(r => r.Sequence).ToList();
        await untraced;

        var stored = await new TelemetryQueries(ingest).MessagesAfterAsync(Application, 0, 100, CancellationToken.None);
        Assert.Equal(22, stored.Count);
        Assert.Null(stored[0].TraceParent);
        Assert.Null(stored[^1].TraceParent);

        var commits = _stopped.Where(a => a.OperationName == TelemetryTracing.CommitSpan && traces.Contains(a.TraceId)).ToList();
        Assert.Equal(20, commits.Count);
        for (var i = 0; i < 20; i++)
        {
            var row = stored.Single(m => m.Sequence == sequences[i]);
            var commit = commits.Single(c => c.TraceId == traces[i]);
            Assert.Equal(sequences[i], commit.GetTagItem("centrum.telemetry.sequence"));
            Assert.Equal($"00-{traces[i]}-{commit.SpanId}-01", row.TraceParent);
            Assert.Equal(commit.Context.TraceId, TelemetryTracing.FromTraceParent(row.TraceParent).TraceId);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not a traceparent")]
    [InlineData("00-00000000000000000000000000000000-0000000000000000-01")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331")]
    public void A_missing_or_malformed_traceparent_reads_as_no_trace(string? traceParent) =>
        Assert.Equal(default, TelemetryTracing.FromTraceParent(traceParent).TraceId);

    [Fact]
    public void The_traceparent_round_trips_in_the_form_of_the_specification()
    {
        // The example of W3C Trace Context, section 3.2.2.
        const string Example = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        Assert.Equal(Example, TelemetryTracing.ToTraceParent(TelemetryTracing.FromTraceParent(Example)));
        Assert.Null(TelemetryTracing.ToTraceParent(default));
    }

    private static void CreateStoreWithoutTraceColumn(string folder)
    {
        Directory.CreateDirectory(folder);
        using var connection = new DuckDBConnection($"Data Source={Path.Combine(folder, "telemetry.duckdb")}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            CREATE TABLE messages (seq BIGINT NOT NULL, enqueued_time TIMESTAMP NOT NULL, device_id VARCHAR NOT NULL, module_id VARCHAR,
                component VARCHAR, message_id VARCHAR, correlation_id VARCHAR, content_type VARCHAR, content_encoding VARCHAR,
                creation_time TIMESTAMP, properties VARCHAR, body BLOB);
            CREATE TABLE telemetry (seq BIGINT NOT NULL, enqueued_time TIMESTAMP NOT NULL, device_id VARCHAR NOT NULL, module_id VARCHAR,
                component VARCHAR, name VARCHAR NOT NULL, value_number DOUBLE, value_json VARCHAR NOT NULL, modeled BOOLEAN NOT NULL DEFAULT false);
            INSERT INTO messages VALUES (1, now()::TIMESTAMP, 'old-device', NULL, NULL, NULL, NULL, 'application/json', 'utf-8', NULL, '{}', '{"n":0}'::BLOB);
            """;
        command.ExecuteNonQuery();
    }

    private static TelemetryMessage Message(string body) => new()
    {
        ApplicationId = Application,
        DeviceId = "d1",
        ContentType = "application/json",
        Body = Encoding.UTF8.GetBytes(body),
        EnqueuedTime = DateTimeOffset.UtcNow,
    };

    private sealed class MeterFactory : IMeterFactory
    {
        public Meter Create(MeterOptions options) => new(options);

        public void Dispose()
        {
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        _publisher.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
