using System.Diagnostics;

namespace Centrum.Devices;

/// <summary>
/// The device registry's traces: provisioning a device (under the registration's span) and deleting one, the two
/// writes that reach beyond the registry (the device's connection is closed, its events published).
/// </summary>
public static class DevicesTracing
{
    public const string SourceName = "Centrum.Devices";

    internal static readonly ActivitySource Source = new(SourceName);
}
