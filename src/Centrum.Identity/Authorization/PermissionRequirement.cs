using Microsoft.AspNetCore.Authorization;

namespace Centrum.Identity.Authorization;

public sealed class PermissionRequirement(Permission permission) : IAuthorizationRequirement
{
    public Permission Permission { get; } = permission;

    public static string PolicyName(Permission permission) => "centrum:" + permission;
}

internal sealed class PermissionHandler : AuthorizationHandler<PermissionRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, PermissionRequirement requirement)
    {
        foreach (var claim in context.User.FindAll(CentrumClaims.Role))
        {
            if (BuiltInRoles.RoleGrants(claim.Value, requirement.Permission))
            {
                context.Succeed(requirement);
                break;
            }
        }

        return Task.CompletedTask;
    }
}
