using System.Diagnostics;

namespace Centrum.Twins;

/// <summary>The twins area's traces: one span per twin update, under the device's request or the REST call that wrote it.</summary>
public static class TwinsTracing
{
    public const string SourceName = "Centrum.Twins";

    internal static readonly ActivitySource Source = new(SourceName);
}
