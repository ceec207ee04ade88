using Centrum.Identity.Authorization;

namespace Centrum.Web.Pages.Administration;

/// <summary>
/// The permission each thing the identity administration pages (users, roles, organizations, API tokens) do needs: the
/// one REST requires for the same operation, so a page offers an action only to a caller holding it. What the caller
/// may grant is then the identity area's rule (<see cref="CallerHoldings"/>), applied to the caller's holdings by the
/// same services REST calls. The authorization matrix holds this table to REST's (endpoint-permissions.txt).
/// </summary>
public static class AdministrationPagePermissions
{
    /// <summary>The users page and its list: REST's <c>GET /api/users</c>.</summary>
    public const Permission Users = Permission.UsersRead;

    /// <summary>Adding a user: REST's <c>PUT /api/users/{userId}</c>.</summary>
    public const Permission AddUser = Permission.UsersManage;

    /// <summary>Changing a user's roles: REST's <c>PATCH /api/users/{userId}</c>.</summary>
    public const Permission ChangeUserRoles = Permission.UsersManage;

    /// <summary>Deleting a user: REST's <c>DELETE /api/users/{userId}</c>.</summary>
    public const Permission DeleteUser = Permission.UsersManage;

    /// <summary>The roles page, and the role names offered where roles are assigned: REST's <c>GET /api/roles</c>.</summary>
    public const Permission Roles = Permission.RolesRead;

    /// <summary>Creating or editing a custom role: REST's <c>PUT /api/roles/{roleId}</c>.</summary>
    public const Permission SaveRole = Permission.RolesManage;

    /// <summary>Deleting a custom role: REST's <c>DELETE /api/roles/{roleId}</c>.</summary>
    public const Permission DeleteRole = Permission.RolesManage;

    /// <summary>
    /// The organizations page, and the organizations offered where roles are assigned, within the caller's reach for
    /// it: REST's <c>GET /api/organizations</c>.
    /// </summary>
    public const Permission Organizations = Permission.OrganizationsRead;

    /// <summary>Creating an organization: REST's <c>PUT /api/organizations/{organizationId}</c>.</summary>
    public const Permission CreateOrganization = Permission.OrganizationsManage;

    /// <summary>Renaming an organization: REST's <c>PATCH /api/organizations/{organizationId}</c>.</summary>
    public const Permission RenameOrganization = Permission.OrganizationsManage;

    /// <summary>Deleting an organization: REST's <c>DELETE /api/organizations/{organizationId}</c>.</summary>
    public const Permission DeleteOrganization = Permission.OrganizationsManage;

    /// <summary>The API tokens page and its list: REST's <c>GET /api/apiTokens</c>.</summary>
    public const Permission ApiTokens = Permission.ApiTokensRead;

    /// <summary>Creating an API token: REST's <c>PUT /api/apiTokens/{tokenId}</c>.</summary>
    public const Permission CreateApiToken = Permission.ApiTokensManage;

    /// <summary>Deleting (revoking) an API token: REST's <c>DELETE /api/apiTokens/{tokenId}</c>.</summary>
    public const Permission DeleteApiToken = Permission.ApiTokensManage;
}
