using Centrum.Identity.Authorization;
using Centrum.Organizations;
using Microsoft.AspNetCore.Http;

namespace Centrum.Api.Infrastructure;

/// <summary>The caller's organization reach for one permission, in the form the areas' services take.</summary>
internal static class CallerReach
{
    public static async Task<OrganizationReach> ReachAsync(this AccessScope scope, HttpContext context, Permission permission) =>
        OrganizationReach.From(await scope.OrganizationsAsync(context.User, permission, context.RequestAborted));
}
