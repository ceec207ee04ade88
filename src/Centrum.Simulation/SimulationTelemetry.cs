using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Centrum.Simulation;

/// <summary>The simulation's trace source and meter: devices running and messages they sent.</summary>
public sealed class SimulationTelemetry : IDisposable
{
    public const string SourceName = "Centrum.Simulation";

    public const string MeterName = "Centrum.Simulation";

    public static ActivitySource Source { get; } = new(SourceName);

    private readonly Meter _meter;
    private int _running;

    public SimulationTelemetry(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _meter.CreateObservableGauge("centrum.simulation.devices.running", () => Volatile.Read(ref _running), "{device}",
            "Simulated devices whose client runs (connected or reconnecting).");
        Sent = _meter.CreateCounter<long>("centrum.simulation.messages.sent", "{message}",
            "Messages simulated devices published: telemetry, reported properties (with acknowledgements) and command responses (tag kind).");
    }

    internal Counter<long> Sent { get; }

    public int Running => Volatile.Read(ref _running);

    internal void Started() => Interlocked.Increment(ref _running);

    internal void Stopped() => Interlocked.Decrement(ref _running);

    public void Dispose() => _meter.Dispose();
}
