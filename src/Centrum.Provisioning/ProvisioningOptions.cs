using System.ComponentModel.DataAnnotations;

namespace Centrum.Provisioning;

/// <summary>Section <c>Centrum:Provisioning</c>.</summary>
public sealed class ProvisioningOptions
{
    public const string Section = "Centrum:Provisioning";

    /// <summary>
    /// Registrations (register and status calls) per second per application before DPS-style 429 answers with
    /// <c>retry-after</c>. Protects the metadata store from a fleet that reboots at once.
    /// </summary>
    [Range(1, 100_000)]
    public int RequestsPerSecond { get; set; } = 200;

    /// <summary>Seconds a device is told to wait before polling an operation (the SDKs honour it); small keeps enrolment fast.</summary>
    [Range(1, 60)]
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>How long a finished registration's operation can be polled.</summary>
    public TimeSpan OperationLifetime { get; set; } = TimeSpan.FromMinutes(10);
}
