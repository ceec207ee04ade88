using System.ComponentModel.DataAnnotations;

namespace Centrum.Simulation;

/// <summary>Settings of simulated devices (<c>Centrum:Simulation</c>), validated at start.</summary>
public sealed class SimulationOptions
{
    public const string Section = "Centrum:Simulation";

    /// <summary>
    /// How often each simulated device sends its telemetry. Five seconds shows a live chart moving without loading the
    /// store: 100 devices at this interval are 20 messages a second, a small part of what one application's writer
    /// commits. Raise it for many simulated devices; lower it (down to a second) for a livelier demo.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan TelemetryInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Simulated devices one application runs at most (and may create). Each is an MQTT connection of this process to
    /// itself and a message per interval; 100 keeps a demo's load below a tenth of what one node serves (each
    /// connection holds a TLS session on both ends, about 100 KB together) while covering a realistic test fleet.
    /// </summary>
    [Range(0, 10_000)]
    public int MaxDevicesPerApplication { get; set; } = 100;

    /// <summary>
    /// On the first start with an empty data folder, give the default application a sample template (Climate Monitor)
    /// and five simulated devices, so a newcomer sees live data within a minute. Set false for a production install.
    /// </summary>
    public bool Demo { get; set; } = true;

    /// <summary>
    /// How often the supervisor compares the running simulated devices with the registry, beside following the
    /// device-event stream: a change that publishes no event (the simulated flag) or events lost to a full
    /// subscription are caught up within this time.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromMinutes(1);
}
