namespace Centrum.Identity.Authorization;

/// <summary>Display names of the predefined roles, as IoT Central's roles API shows them (IoT Central REST API 2022-07-31, Roles_List example).</summary>
public static class RoleNames
{
    public static readonly IReadOnlyList<(string Id, string DisplayName)> BuiltIn =
    [
        (BuiltInRoles.AppAdministrator, "Administrator"),
        (BuiltInRoles.AppBuilder, "Builder"),
        (BuiltInRoles.AppOperator, "Operator"),
        (BuiltInRoles.OrgAdministrator, "Org Admin"),
        (BuiltInRoles.OrgOperator, "Org Operator"),
        (BuiltInRoles.OrgViewer, "Org Viewer"),
    ];
}
