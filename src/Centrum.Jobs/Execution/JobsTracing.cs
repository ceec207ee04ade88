using System.Diagnostics;

namespace Centrum.Jobs.Execution;

/// <summary>The jobs area's traces: one span per batch of a job and one per device action within it.</summary>
public static class JobsTracing
{
    public const string SourceName = "Centrum.Jobs";

    internal static readonly ActivitySource Source = new(SourceName);
}
