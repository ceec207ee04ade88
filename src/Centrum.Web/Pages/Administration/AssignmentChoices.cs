using Centrum.Identity.ApiTokens;
using Centrum.Identity.Authorization;
using Centrum.Identity.Organizations;
using Centrum.Web.Authorization;

namespace Centrum.Web.Pages.Administration;

/// <summary>
/// What a page that assigns roles (users, API tokens) offers to choose from: the roles, when the caller may read roles,
/// and the organizations within its reach for reading them, as REST's lists would answer the same caller. Offering a
/// choice grants nothing: the identity area decides whether the caller may make the assignment.
/// </summary>
public sealed record AssignmentChoices(IReadOnlyList<Role> Roles, IReadOnlyList<Organization> Organizations)
{
    public static async Task<AssignmentChoices> LoadAsync(
        WebCaller caller, RoleCatalog roles, OrganizationService organizations, string applicationId, CancellationToken cancellationToken)
    {
        var roleList = await caller.HoldsAsync(AdministrationPagePermissions.Roles)
            ? await roles.ListAsync(applicationId, cancellationToken)
            : [];
        IReadOnlyList<Organization> organizationList = [];
        if (await caller.HoldsAsync(AdministrationPagePermissions.Organizations))
        {
            var reach = await caller.ReachAsync(AdministrationPagePermissions.Organizations, cancellationToken);
            organizationList = (await organizations.ListAsync(applicationId, cancellationToken)).Where(o => reach.Reaches([o.Id])).ToList();
        }

        return new AssignmentChoices(roleList, organizationList);
    }

    /// <summary>A role's display name when the caller may read roles, its id otherwise.</summary>
    public string RoleName(string roleId) => Roles.FirstOrDefault(r => r.Id == roleId)?.DisplayName ?? roleId;

    /// <summary>An organization's display name when within the caller's reach, its id otherwise.</summary>
    public string OrganizationName(string organizationId) => Organizations.FirstOrDefault(o => o.Id == organizationId)?.DisplayName ?? organizationId;

    /// <summary>An assignment as a person reads it: "Operator", or "Org Admin in North".</summary>
    public string Describe(RoleAssignment assignment) =>
        assignment.Organization is null ? RoleName(assignment.Role) : $"{RoleName(assignment.Role)} in {OrganizationName(assignment.Organization)}";
}

/// <summary>One role assignment being edited on a page; an empty organization is the whole application.</summary>
public sealed class AssignmentDraft
{
    public string Role { get; set; } = "";

    public string Organization { get; set; } = "";

    public static AssignmentDraft From(RoleAssignment assignment) => new() { Role = assignment.Role, Organization = assignment.Organization ?? "" };

    public RoleAssignment ToAssignment() => new(Role.Trim(), string.IsNullOrWhiteSpace(Organization) ? null : Organization.Trim());
}
