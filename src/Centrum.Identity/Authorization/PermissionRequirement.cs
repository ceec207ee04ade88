using Microsoft.AspNetCore.Authorization;

namespace Centrum.Identity.Authorization;

public sealed class PermissionRequirement(Permission permission) : IAuthorizationRequirement
{
    public Permission Permission { get; } = permission;

    public static string PolicyName(Permission permission) => "centrum:" + permission;
}

/// <summary>A caller has a permission when one of its roles (predefined or the application's own) grants it.</summary>
internal sealed class PermissionHandler(RoleCatalog roles) : AuthorizationHandler<PermissionRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, PermissionRequirement requirement)
    {
        var application = context.User.ApplicationId();
        if (application is null)
        {
            return;
        }

        foreach (var claim in context.User.FindAll(CentrumClaims.Role))
        {
            if (await roles.GrantsAsync(application, CentrumClaims.ParseRole(claim.Value).Role, requirement.Permission, CancellationToken.None))
            {
                context.Succeed(requirement);
                return;
            }
        }
    }
}
