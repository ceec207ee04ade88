using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Centrum.Telemetry;
using Centrum.Telemetry.Internal;

namespace Centrum.MicroBench;

/// <summary>
/// The in-memory part of appending a message to the telemetry writer's batch: what the publisher's thread prepares
/// (the body's fields, the properties' JSON, the content hash for de-duplication) and the writer's window of recent
/// message ids. The DuckDB appender and the commit are measured by the load benchmarks, not here.
/// </summary>
[MemoryDiagnoser]
public class TelemetryAppendBenchmarks
{
    private const int WindowCapacity = 1000;

    private readonly TelemetryMessage _message = new()
    {
        ApplicationId = "app",
        DeviceId = Packets.DeviceId,
        MessageId = "5b1e7c2a-0042-4d7e-9a51-000000001234",
        ContentType = "application/json",
        ContentEncoding = "utf-8",
        Properties = [new("alert", "on"), new("site", "plant-7")],
        Body = Packets.TelemetryBody,
        EnqueuedTime = new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero),
    };

    /// <summary>As a template declares: the numeric fields it models.</summary>
    private readonly TelemetryDeclaration _declaration = static (_, name, value) => value.ValueKind == JsonValueKind.Number && name != "battery";

    private readonly RecentMessageIds _recent = new(WindowCapacity, TimeSpan.FromMinutes(10));
    private readonly string[] _messageIds = Enumerable.Range(0, 4 * WindowCapacity).Select(i => $"mid-{i}").ToArray();
    private int _next;

    [Benchmark, AllocationBudget(1152)]
    public object Prepare() => new PendingMessage(_message, _declaration);

    /// <summary>The writer's per-message bookkeeping: is it a re-send, then remember it.</summary>
    [Benchmark, AllocationBudget(0)]
    public bool RecentIds()
    {
        var id = _messageIds[_next++ % _messageIds.Length];
        var time = _message.EnqueuedTime.AddTicks(_next);
        var resend = _recent.IsResend(Packets.DeviceId, id, 42, time);
        _recent.Add(Packets.DeviceId, id, 42, time);
        return resend;
    }
}
