using System.Diagnostics.Metrics;

namespace Centrum.Jobs.Execution;

/// <summary>The jobs area's meter: devices finished by kind and state, and devices in flight.</summary>
public sealed class JobsMetrics
{
    public const string MeterName = "Centrum.Jobs";

    private readonly Counter<long> _finished;
    private readonly UpDownCounter<long> _inFlight;

    public JobsMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        _finished = meter.CreateCounter<long>("centrum.jobs.devices", "{device}", "Devices a job finished with, by the job's kind and the device's state (completed or failed).");
        _inFlight = meter.CreateUpDownCounter<long>("centrum.jobs.devices.in_flight", "{device}", "Devices jobs are acting on now.");
    }

    internal void Started() => _inFlight.Add(1);

    internal void Ended() => _inFlight.Add(-1);

    internal void Finished(JobDataKind kind, JobDeviceState state)
    {
        _finished.Add(1, new KeyValuePair<string, object?>("kind", kind.ToString()), new KeyValuePair<string, object?>("state", JobStates.Name(state)));
    }
}
