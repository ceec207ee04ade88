using Centrum.Identity.Authorization;
using Microsoft.AspNetCore.Authorization;

namespace Centrum.Web.Authorization;

/// <summary>
/// The permission a page needs, checked through the same policy as the REST operations that need it
/// (<see cref="PermissionRequirement"/>): the router renders the page only for a caller holding it, and the navigation
/// links only the pages the caller may open. Every routable page carries this, <c>[Authorize]</c> (any member of the
/// application) or <c>[AllowAnonymous]</c> (the sign-in pages); a test holds every page to that.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = true)]
public sealed class RequirePermissionAttribute : AuthorizeAttribute
{
    public RequirePermissionAttribute(Permission permission)
        : base(PermissionRequirement.PolicyName(permission)) => Permission = permission;

    public Permission Permission { get; }
}
