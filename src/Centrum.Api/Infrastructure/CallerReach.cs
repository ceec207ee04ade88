using Centrum.Identity.Authorization;
using Centrum.Organizations;
using Microsoft.AspNetCore.Http;

namespace Centrum.Api.Infrastructure;

/// <summary>The caller's organization reach for one permission, in the form the areas' services take (the identity area derives it).</summary>
internal static class CallerReach
{
    public static Task<OrganizationReach> ReachAsync(this AccessScope scope, HttpContext context, Permission permission) =>
        scope.ReachAsync(context.User, permission, context.RequestAborted);
}
