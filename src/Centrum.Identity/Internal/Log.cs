using Microsoft.Extensions.Logging;

namespace Centrum.Identity.Internal;

/// <summary>
/// Identity log events: ids 7000–7999 (7100–7199 audit retention). API tokens, their keys, passwords and codes are
/// never logged; tokens are named by id, members by id and type, roles by id.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(7001, LogLevel.Information, "API token {TokenId} of application {ApplicationId} created with roles {Roles}, valid until {Expiry:O}")]
    public static partial void TokenCreated(ILogger logger, string applicationId, string tokenId, string roles, DateTimeOffset expiry);

    [LoggerMessage(7002, LogLevel.Information, "API token {TokenId} of application {ApplicationId} revoked")]
    public static partial void TokenRevoked(ILogger logger, string applicationId, string tokenId);

    [LoggerMessage(7003, LogLevel.Warning, "Refused to let a caller {Action} in application {ApplicationId}: {Reason}")]
    public static partial void GrantRefused(ILogger logger, string applicationId, string action, string reason);

    [LoggerMessage(7004, LogLevel.Debug, "An API token of application {ApplicationId} was refused: {Reason}")]
    public static partial void TokenRefused(ILogger logger, string? applicationId, string reason);

    [LoggerMessage(7010, LogLevel.Information, "Member {UserId} ({Type}) of application {ApplicationId} saved with roles {Roles}")]
    public static partial void MemberSaved(ILogger logger, string applicationId, string userId, string type, string roles);

    [LoggerMessage(7011, LogLevel.Information, "Member {UserId} of application {ApplicationId} removed")]
    public static partial void MemberRemoved(ILogger logger, string applicationId, string userId);

    [LoggerMessage(7020, LogLevel.Information, "Role {RoleId} of application {ApplicationId} saved ({Scope} scope) with permissions {Permissions}")]
    public static partial void RoleSaved(ILogger logger, string applicationId, string roleId, string scope, string permissions);

    [LoggerMessage(7021, LogLevel.Information, "Role {RoleId} of application {ApplicationId} deleted")]
    public static partial void RoleDeleted(ILogger logger, string applicationId, string roleId);

    [LoggerMessage(7030, LogLevel.Information, "Organization {OrganizationId} of application {ApplicationId} saved (parent {Parent})")]
    public static partial void OrganizationSaved(ILogger logger, string applicationId, string organizationId, string? parent);

    [LoggerMessage(7031, LogLevel.Information, "Organization {OrganizationId} of application {ApplicationId} deleted")]
    public static partial void OrganizationDeleted(ILogger logger, string applicationId, string organizationId);

    [LoggerMessage(7040, LogLevel.Information, "{Email} signed in to application {ApplicationId} from {Remote}")]
    public static partial void SignedIn(ILogger logger, string applicationId, string email, string? remote);

    [LoggerMessage(7041, LogLevel.Warning, "Sign-in of {Email} to application {ApplicationId} from {Remote} failed")]
    public static partial void SignInFailed(ILogger logger, string applicationId, string email, string? remote);

    [LoggerMessage(7042, LogLevel.Warning, "{Email} is locked out of application {ApplicationId} after repeated failed sign-ins (last from {Remote})")]
    public static partial void LockedOut(ILogger logger, string applicationId, string email, string? remote);

    [LoggerMessage(7043, LogLevel.Warning, "Too many sign-in attempts from {Source} (caller {Remote}); refused for {RetryAfterSeconds} s")]
    public static partial void SignInThrottled(ILogger logger, string source, string? remote, int retryAfterSeconds);

    [LoggerMessage(7101, LogLevel.Information, "Audit retention deleted {Rows} entries older than {Cutoff:O}")]
    public static partial void AuditPruned(ILogger logger, int rows, DateTimeOffset cutoff);

    [LoggerMessage(7102, LogLevel.Error, "An audit retention pass failed; it is tried again at the next interval")]
    public static partial void AuditPruneFailed(ILogger logger, Exception exception);
}
