namespace Centrum.Identity.Authorization;

/// <summary>
/// What a caller holds: each permission it has, with its reach (the whole application, or organizations with their
/// descendants). This is the one place of the rule every granting service applies, whether it issues an API token,
/// assigns a member's roles, defines a role or places an organization: nobody grants a permission or a reach they do
/// not hold themselves, and nobody changes or removes a grant made of more than they hold.
/// </summary>
public sealed class CallerHoldings
{
    private readonly IReadOnlyDictionary<Permission, IReadOnlySet<string>?> _reach;

    public CallerHoldings(IReadOnlyDictionary<Permission, IReadOnlySet<string>?> reach) => _reach = reach;

    /// <summary>The server's operator on its command line: every permission, application-wide.</summary>
    public static CallerHoldings Operator { get; } = new(Enum.GetValues<Permission>().ToDictionary(p => p, _ => (IReadOnlySet<string>?)null));

    /// <summary>Whether the caller holds <paramref name="permission"/> anywhere.</summary>
    public bool Holds(Permission permission) => _reach.ContainsKey(permission);

    /// <summary>
    /// Why the caller may not grant <paramref name="permissions"/> within <paramref name="organization"/> (application-wide
    /// when null), or null when it holds every one of them at least that far. Organization reach is closed under
    /// descendants, so holding the organization itself covers everything an assignment there reaches.
    /// </summary>
    public string? RefuseGrant(IEnumerable<Permission> permissions, string? organization)
    {
        foreach (var permission in permissions)
        {
            if (!_reach.TryGetValue(permission, out var reach))
            {
                return $"You cannot grant '{RoleCatalog.Name(permission)}': you do not hold it.";
            }

            if (reach is null)
            {
                continue;
            }

            if (organization is null)
            {
                return $"You cannot grant '{RoleCatalog.Name(permission)}' application-wide: you hold it only within organizations.";
            }

            if (!reach.Contains(organization))
            {
                return $"You cannot grant '{RoleCatalog.Name(permission)}' within organization '{organization}': it is outside your reach.";
            }
        }

        return null;
    }

    /// <summary>
    /// Why the caller may not act with <paramref name="permission"/> at <paramref name="organization"/> (application-wide
    /// when null), such as placing an organization below a parent; null when its reach covers it.
    /// </summary>
    public string? RefuseReach(Permission permission, string? organization)
    {
        if (!_reach.TryGetValue(permission, out var reach))
        {
            return $"You do not hold '{RoleCatalog.Name(permission)}'.";
        }

        return reach is null || (organization is not null && reach.Contains(organization))
            ? null
            : organization is null
                ? $"'{RoleCatalog.Name(permission)}' reaches only your organizations, not the whole application."
                : $"Organization '{organization}' is outside the reach of your '{RoleCatalog.Name(permission)}'.";
    }
}
