using System.Diagnostics.Metrics;

namespace Centrum.Gateway;

/// <summary>The gateway's meter.</summary>
internal sealed class GatewayMetrics
{
    public const string MeterName = "Centrum.Gateway";

    private readonly Counter<long> _connects;
    private readonly Counter<long> _refusals;
    private readonly UpDownCounter<long> _active;
    private readonly Counter<long> _received;
    private readonly Counter<long> _acknowledged;
    private readonly Histogram<double> _ackLatency;

    public GatewayMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _connects = meter.CreateCounter<long>("centrum.gateway.connections.accepted", "{connection}", "CONNECTs accepted.");
        _refusals = meter.CreateCounter<long>("centrum.gateway.connections.refused", "{connection}", "Connections refused or closed for a protocol violation, by reason.");
        _active = meter.CreateUpDownCounter<long>("centrum.gateway.connections.active", "{connection}", "Devices connected now.");
        _received = meter.CreateCounter<long>("centrum.gateway.messages.received", "{message}", "Telemetry messages received from devices.");
        _acknowledged = meter.CreateCounter<long>("centrum.gateway.messages.acknowledged", "{message}", "QoS 1 telemetry messages acknowledged after a durable commit.");
        _ackLatency = meter.CreateHistogram<double>("centrum.gateway.publish.ack_latency", "s", "Time from receiving a QoS 1 PUBLISH to its PUBACK being queued.");
    }

    public void Connected()
    {
        _connects.Add(1);
        _active.Add(1);
    }

    public void Disconnected() => _active.Add(-1);

    public void Refused(string reason) => _refusals.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Received() => _received.Add(1);

    public void Acknowledged(TimeSpan latency)
    {
        _acknowledged.Add(1);
        _ackLatency.Record(latency.TotalSeconds);
    }
}
