namespace Centrum.Web.Internal;

/// <summary>Where to go after signing in: only a path of this server, never another host (an open redirect).</summary>
internal static class ReturnUrl
{
    public static string Local(string? url) =>
        url is { Length: > 0 } && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal) ? url : "/";
}
