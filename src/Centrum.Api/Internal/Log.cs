using Microsoft.Extensions.Logging;

namespace Centrum.Api.Internal;

/// <summary>
/// REST API log events: ids 6000–6999 (6001–6004, the sign-in events, moved to the identity area with its rules, as
/// 7040–7043). Passwords, authenticator and recovery codes and tokens are never logged.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(6100, LogLevel.Error, "Could not record {Method} {Path} in the audit log")]
    public static partial void AuditFailed(ILogger logger, Exception exception, string method, string path);
}
