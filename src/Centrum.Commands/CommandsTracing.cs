using System.Diagnostics;

namespace Centrum.Commands;

/// <summary>The commands area's traces: one span per command, from the call to the device's answer or its refusal.</summary>
public static class CommandsTracing
{
    public const string SourceName = "Centrum.Commands";

    internal static readonly ActivitySource Source = new(SourceName);
}
