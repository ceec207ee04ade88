namespace Centrum.Commands;

/// <summary>Section <c>Centrum:Commands</c>.</summary>
public sealed class CommandOptions
{
    public const string Section = "Centrum:Commands";

    /// <summary>The shortest time to live a cloud-to-device message may ask for; IoT Hub's is one minute.</summary>
    public TimeSpan MinMessageTtl { get; set; } = CommandLimits.MinMessageTtl;
}
