using System.Diagnostics;

namespace Centrum.Identity;

/// <summary>The identity area's traces: verifying an API token, which every token-authenticated request waits on.</summary>
public static class IdentityTracing
{
    public const string SourceName = "Centrum.Identity";

    internal static readonly ActivitySource Source = new(SourceName);
}
