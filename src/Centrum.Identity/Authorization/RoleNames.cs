namespace Centrum.Identity.Authorization;

/// <summary>Display names of the predefined roles, as IoT Central's roles API shows them.</summary>
public static class RoleNames
{
    public static readonly IReadOnlyList<(string Id, string DisplayName)> BuiltIn =
    [
        (BuiltInRoles.AppAdministrator, "Administrator"),
        (BuiltInRoles.AppBuilder, "Builder"),
        (BuiltInRoles.AppOperator, "Operator"),
        (BuiltInRoles.OrgAdministrator, "Org Administrator"),
        (BuiltInRoles.OrgOperator, "Org Operator"),
        (BuiltInRoles.OrgViewer, "Org Viewer"),
    ];
}
