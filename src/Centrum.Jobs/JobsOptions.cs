using System.ComponentModel.DataAnnotations;

namespace Centrum.Jobs;

/// <summary>Settings of job execution (<c>Centrum:Jobs</c>), validated at start.</summary>
public sealed class JobsOptions
{
    public const string Section = "Centrum:Jobs";

    /// <summary>Jobs of one application that run at once; the others wait as pending (IoT Central, "Quotas and limits": 5 concurrently running jobs).</summary>
    [Range(1, 100)]
    public int MaxRunningPerApplication { get; set; } = 5;

    /// <summary>Devices one job acts on at once: commands and property acknowledgements in flight.</summary>
    [Range(1, 10_000)]
    public int MaxDevicesInFlight { get; set; } = 100;

    /// <summary>How often the runner looks again at devices it waits on, beside being woken by their events.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
}
