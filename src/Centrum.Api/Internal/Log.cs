using Microsoft.Extensions.Logging;

namespace Centrum.Api.Internal;

/// <summary>
/// REST API log events: ids 6000–6999. Passwords, authenticator and recovery codes and tokens are never logged; an
/// account is named by its email, as in the audit log.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(6001, LogLevel.Information, "{Email} signed in to application {ApplicationId} from {Remote}")]
    public static partial void SignedIn(ILogger logger, string applicationId, string email, string? remote);

    [LoggerMessage(6002, LogLevel.Warning, "Sign-in of {Email} to application {ApplicationId} from {Remote} failed")]
    public static partial void SignInFailed(ILogger logger, string applicationId, string email, string? remote);

    [LoggerMessage(6003, LogLevel.Warning, "{Email} is locked out of application {ApplicationId} after repeated failed sign-ins (last from {Remote})")]
    public static partial void LockedOut(ILogger logger, string applicationId, string email, string? remote);

    [LoggerMessage(6004, LogLevel.Warning, "Too many sign-in attempts from {Source} (caller {Remote}); refused for {RetryAfterSeconds} s")]
    public static partial void SignInThrottled(ILogger logger, string source, string? remote, int retryAfterSeconds);

    [LoggerMessage(6100, LogLevel.Error, "Could not record {Method} {Path} in the audit log")]
    public static partial void AuditFailed(ILogger logger, Exception exception, string method, string path);
}
