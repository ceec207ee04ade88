using System.Diagnostics;

namespace Centrum.Provisioning;

/// <summary>The provisioning area's traces: one span per registration request, whichever head (MQTT or HTTPS) it came through.</summary>
public static class ProvisioningTracing
{
    public const string SourceName = "Centrum.Provisioning";

    internal static readonly ActivitySource Source = new(SourceName);
}
