using Centrum.Identity.Authorization;
using Microsoft.AspNetCore.Builder;

namespace Centrum.Api.Infrastructure;

public static class EndpointExtensions
{
    /// <summary>Every REST operation states the one permission it needs; the authorization table test reads this metadata.</summary>
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, Permission permission)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(PermissionRequirement.PolicyName(permission)).WithMetadata(new RequiredPermission(permission));
}

public sealed record RequiredPermission(Permission Permission);
