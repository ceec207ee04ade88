using System.Diagnostics;
using Centrum.Applications;
using Centrum.Events;
using Centrum.Gateway.Authentication;
using Centrum.Gateway.Handlers;
using Centrum.IotHub.Connections;
using Centrum.IotHub.Mqtt;
using Centrum.Storage;
using Centrum.Telemetry;
using Centrum.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Centrum.Gateway.Tests.Handlers;

/// <summary>
/// The telemetry handler against the real store (DuckDB in a temporary folder): one <c>mqtt.publish</c> activity per
/// PUBLISH that is current while the store takes the message, and the PUBACK queued behind the store's commit.
/// </summary>
public sealed class TelemetryHandlerTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "centrum-gateway-tests", Guid.NewGuid().ToString("N"));
    private readonly List<Activity> _stopped = [];
    private readonly ActivityListener _listener;
    private readonly CurrentActivityProbe _model = new();
    private readonly TestMeterFactory _meters = new();
    private readonly OutboundQueue _outbound = new(100, 1024 * 1024);
    private readonly string _applicationId = "app-" + Guid.NewGuid().ToString("N")[..8];
    private TelemetryIngest _ingest = null!;

    public TelemetryHandlerTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == GatewayDiagnostics.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (_stopped)
                {
                    _stopped.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public Task InitializeAsync()
    {
        _ingest = new TelemetryIngest(
            Options.Create(new StorageOptions { DataFolder = _folder }),
            Options.Create(new TelemetryOptions()),
            new TelemetryMetrics(_meters),
            new DeviceEventBus(),
            NullLogger<TelemetryIngest>.Instance,
            _model);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_QoS_1_publish_is_one_activity_current_while_the_store_takes_it_and_is_acknowledged_after_the_commit()
    {
        var handler = Handler(moduleId: null);

        var result = await handler.PublishAsync(new PublishPacket("devices/d1/messages/events/", 1, false, false, 7, [1, 2, 3]), ReadOnlyMemory<char>.Empty, CancellationToken.None);

        Assert.Equal(PacketResult.Continue, result);
        var activity = Assert.Single(Stopped("d1"));
        Assert.Equal("mqtt.publish", activity.OperationName);
        Assert.Equal(ActivityKind.Server, activity.Kind);
        Assert.Equal(_applicationId, activity.GetTagItem("centrum.application.id"));
        Assert.Equal((byte)1, activity.GetTagItem("mqtt.qos"));
        Assert.Null(activity.GetTagItem("centrum.module.id"));
        Assert.Same(activity, Assert.Single(_model.Seen));

        var pubAck = Assert.Single(OutboundFrames.Drain(_outbound));
        Assert.Equal(7, pubAck.PacketId);
        // The PUBACK waits on the store's commit itself, which answers a first delivery as not a duplicate.
        var stored = await Assert.IsType<Task<Centrum.Telemetry.StoreResult>>(pubAck.Commit).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(stored.Duplicate);
    }

    [Fact]
    public async Task A_module_publish_names_its_module_and_a_QoS_0_publish_queues_no_PUBACK()
    {
        var handler = Handler(moduleId: "m1");

        var result = await handler.PublishAsync(new PublishPacket("devices/d1/modules/m1/messages/events/", 0, false, false, 0, [1]), ReadOnlyMemory<char>.Empty, CancellationToken.None);

        Assert.Equal(PacketResult.Continue, result);
        var activity = Assert.Single(Stopped("d1"));
        Assert.Equal("m1", activity.GetTagItem("centrum.module.id"));
        Assert.Equal((byte)0, activity.GetTagItem("mqtt.qos"));
        Assert.Empty(OutboundFrames.Drain(_outbound));
    }

    [Fact]
    public async Task A_message_over_256_KB_is_a_violation_and_reaches_neither_the_store_nor_a_trace()
    {
        var handler = Handler(moduleId: null);

        var result = await handler.PublishAsync(new PublishPacket("devices/d1/messages/events/", 1, false, false, 1, new byte[256 * 1024 + 1]), ReadOnlyMemory<char>.Empty, CancellationToken.None);

        Assert.Equal(PacketOutcome.Violation, result.Outcome);
        Assert.Empty(_model.Seen);
        Assert.Empty(Stopped("d1"));
        Assert.Empty(OutboundFrames.Drain(_outbound));
    }

    private TelemetryHandler Handler(string? moduleId)
    {
        var application = new Application(_applicationId, "Test", "test.example", "0ne00000000", Suspended: false);
        var identity = new DeviceIdentity(application, "d1", moduleId, null, DateTimeOffset.MaxValue);
        return new TelemetryHandler(identity, _outbound, _ingest, new GatewayMetrics(_meters), TimeProvider.System);
    }

    /// <summary>Activities of this test's application only: other tests may trace at the same time.</summary>
    private List<Activity> Stopped(string deviceId)
    {
        lock (_stopped)
        {
            return _stopped.Where(a => Equals(a.GetTagItem("centrum.application.id"), _applicationId) && Equals(a.GetTagItem("centrum.device.id"), deviceId)).ToList();
        }
    }

    public async Task DisposeAsync()
    {
        _listener.Dispose();
        await _ingest.DisposeAsync();
        _meters.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    /// <summary>
    /// The store asks the template model for the device's declaration as it takes a message: the one place to see,
    /// from inside <see cref="TelemetryIngest.SubmitAsync"/>, which activity is current.
    /// </summary>
    private sealed class CurrentActivityProbe : ITelemetryModel
    {
        public List<Activity?> Seen { get; } = [];

        public ValueTask<TelemetryDeclaration?> ForDeviceAsync(string applicationId, string deviceId, string? moduleId, CancellationToken cancellationToken)
        {
            Seen.Add(Activity.Current);
            return ValueTask.FromResult<TelemetryDeclaration?>(null);
        }
    }
}
