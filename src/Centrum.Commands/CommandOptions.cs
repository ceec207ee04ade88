using System.ComponentModel.DataAnnotations;

namespace Centrum.Commands;

/// <summary>Section <c>Centrum:Commands</c>.</summary>
public sealed class CommandOptions
{
    public const string Section = "Centrum:Commands";

    /// <summary>
    /// The shortest time to live a cloud-to-device message may ask for; IoT Hub's is one minute. Lower it only for
    /// tests that watch messages expire. At most <see cref="CommandLimits.MaxMessageTtl"/>, the longest a message may live.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "2.00:00:00")]
    public TimeSpan MinMessageTtl { get; set; } = CommandLimits.MinMessageTtl;
}
