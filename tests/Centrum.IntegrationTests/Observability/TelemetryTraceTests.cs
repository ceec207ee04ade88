using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Centrum.Export;
using Centrum.Server.Hosting;
using Centrum.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.IntegrationTests.Observability;

/// <summary>
/// One telemetry message is one trace: the span current when the message is submitted (the gateway's
/// <c>mqtt.publish</c>) is the parent of its commit, and the export that delivers it, in a later process over the same
/// data folder, continues that trace from the <c>traceparent</c> stored with the message.
/// </summary>
public sealed class TelemetryTraceTests : IDisposable
{
    private const string Application = "default";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "centrum-tests", "traces-" + Guid.NewGuid().ToString("N"));
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivitySource _publisher = new("Centrum.Tests.Publisher");
    private readonly ActivityListener _listener;

    public TelemetryTraceTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is TelemetryTracing.SourceName or ExportTracing.SourceName || source == _publisher,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    [Fact]
    public async Task Commit_and_export_delivery_spans_share_the_trace_of_the_span_current_at_submit()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        ActivityTraceId traceId;
        ActivitySpanId publishSpan;
        long sequence;

        // First process: the export exists (its start position fixed before the message), but nothing delivers yet.
        await using (var first = await StartAsync())
        {
            var exports = first.GetRequiredService<DataExportService>();
            var destination = await exports.SaveDestinationAsync(Application, "hook",
                JsonNode.Parse($$$"""{"displayName":"Hook","type":"webhook@v1","url":"{{{receiver.Url}}}traced","authorization":{"type":"header","value":"Bearer t"}}"""), null, CancellationToken.None);
            Assert.True(destination.Succeeded);
            var export = await exports.SaveExportAsync(Application, "all",
                JsonNode.Parse("""{"displayName":"All","enabled":true,"source":"telemetry","destinations":[{"id":"hook"}]}"""), null, CancellationToken.None);
            Assert.True(export.Succeeded);

            var ingest = first.GetRequiredService<TelemetryIngest>();
            using (var publish = _publisher.StartActivity("mqtt.publish", ActivityKind.Server)!)
            {
                traceId = publish.TraceId;
                publishSpan = publish.SpanId;
                var stored = await ingest.SubmitAsync(new TelemetryMessage
                {
                    ApplicationId = Application, DeviceId = "traced-1", ContentType = "application/json",
                    Body = Encoding.UTF8.GetBytes("""{"temperature":21.5}"""), EnqueuedTime = DateTimeOffset.UtcNow,
                }, waitForRoom: true, CancellationToken.None);
                sequence = (await stored!).Sequence;
            }

            // A message submitted with no span current is stored without a trace.
            var untraced = await ingest.SubmitAsync(new TelemetryMessage
            {
                ApplicationId = Application, DeviceId = "traced-1", Body = """{"temperature":22}"""u8.ToArray(), EnqueuedTime = DateTimeOffset.UtcNow,
            }, waitForRoom: true, CancellationToken.None);
            await untraced!;
            var kept = await first.GetRequiredService<TelemetryQueries>().MessagesAfterAsync(Application, sequence - 1, 2, CancellationToken.None);
            Assert.Equal($"00-{traceId}-{_stopped.Single(a => a.OperationName == TelemetryTracing.CommitSpan && a.TraceId == traceId).SpanId}-01", kept[0].TraceParent);
            Assert.Null(kept[1].TraceParent);
        }

        var commit = Assert.Single(_stopped, a => a.OperationName == TelemetryTracing.CommitSpan && a.TraceId == traceId);
        Assert.Equal(publishSpan, commit.ParentSpanId);
        Assert.Equal(sequence, commit.GetTagItem("centrum.telemetry.sequence"));

        // Second process over the same folder: the export delivers both messages; only the traced one has a span.
        await using (var second = await StartAsync())
        {
            var runner = second.GetRequiredService<ExportRunner>();
            await runner.StartAsync(CancellationToken.None);
            try
            {
                await Wait.UntilAsync(() => Task.FromResult(receiver.At("/traced").Count >= 2), TimeSpan.FromSeconds(30), "both messages are delivered");
                await Wait.UntilAsync(() => Task.FromResult(_stopped.Any(a => a.OperationName == ExportTracing.DeliverSpan && a.TraceId == traceId)), TimeSpan.FromSeconds(10), "the delivery span ends");
            }
            finally
            {
                await runner.StopAsync(CancellationToken.None);
            }
        }

        var delivery = Assert.Single(_stopped, a => a.OperationName == ExportTracing.DeliverSpan && a.TraceId == traceId);
        Assert.Equal(commit.SpanId, delivery.ParentSpanId);
        Assert.Equal(sequence, delivery.GetTagItem("centrum.telemetry.sequence"));
        Assert.Equal("all", delivery.GetTagItem("centrum.export.id"));
    }

    /// <summary>The areas the message passes through, composed as the server composes them, without the listeners.</summary>
    private async Task<ServiceProvider> StartAsync()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Centrum:Storage:DataFolder"] = _folder,
            ["Centrum:Export:AllowLocalDestinations"] = "true",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        CentrumHost.AddCentrumCore(services, configuration);
        services.AddCentrumTelemetry(configuration);
        services.AddCentrumExport(configuration);
        services.AddSingleton<Centrum.Devices.IDeviceConnections, NoGateway>();
        var provider = services.BuildServiceProvider();
        await CentrumHost.PrepareAsync(provider, CancellationToken.None);
        return provider;
    }

    /// <summary>This composition has no device endpoint, so no device is ever connected to it.</summary>
    private sealed class NoGateway : Centrum.Devices.IDeviceConnections
    {
        public ValueTask DisconnectAsync(string applicationId, string deviceId, string reason) => ValueTask.CompletedTask;

        public ValueTask DisconnectCredentialAsync(string applicationId, string credentialSource, string reason) => ValueTask.CompletedTask;

        public ValueTask DisconnectApplicationAsync(string applicationId, string reason) => ValueTask.CompletedTask;

        public bool IsConnected(string applicationId, string deviceId) => false;

        public IReadOnlyCollection<string> ConnectedDevices(string applicationId) => [];
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
