namespace Centrum.Organizations;

/// <summary>
/// How far a caller reaches inside one application: the whole application, or a set of organizations (a role assigned
/// within an organization reaches it and its descendants, IoT Central documentation "Manage IoT Central organizations").
/// Built by the caller's head (REST from the caller's role assignments) and passed to the areas' services, which apply
/// it; an area never asks the identity area itself.
/// </summary>
public sealed class OrganizationReach
{
    private readonly IReadOnlySet<string>? _organizations;

    private OrganizationReach(IReadOnlySet<string>? organizations) => _organizations = organizations;

    /// <summary>A caller whose role is assigned application-wide, or the platform itself (the gateway, provisioning, export).</summary>
    public static OrganizationReach WholeApplication { get; } = new(null);

    /// <summary>A caller limited to these organizations (already expanded to their descendants); none reaches nothing.</summary>
    public static OrganizationReach Within(IEnumerable<string> organizations) => new(organizations.ToHashSet(StringComparer.Ordinal));

    /// <summary>Null is the whole application, as identity's access scope answers it.</summary>
    public static OrganizationReach From(IReadOnlySet<string>? organizations) => organizations is null ? WholeApplication : Within(organizations);

    public bool IsWholeApplication => _organizations is null;

    /// <summary>The organizations reached, or null for the whole application: what a job or a schedule keeps to act within its creator's reach later.</summary>
    public IReadOnlySet<string>? Organizations => _organizations;

    /// <summary>
    /// Whether something that belongs to <paramref name="owners"/> is seen: one owner within reach suffices. Something
    /// in no organization belongs to the whole application and is seen only application-wide.
    /// </summary>
    public bool Reaches(IEnumerable<string> owners) => _organizations is null || owners.Any(_organizations.Contains);

    /// <summary>
    /// Whether something may be placed in <paramref name="owners"/>: every one within reach, and at least one, since a
    /// limited caller placing it in none would hand it to the whole application, beyond its reach.
    /// </summary>
    public bool MayPlaceIn(IReadOnlyCollection<string> owners) =>
        _organizations is null || (owners.Count > 0 && owners.All(_organizations.Contains));
}
