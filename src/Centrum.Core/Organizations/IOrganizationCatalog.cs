namespace Centrum.Organizations;

/// <summary>What other areas may ask about organizations, answered by the identity area, which owns them.</summary>
public interface IOrganizationCatalog
{
    /// <summary>The ids among <paramref name="organizationIds"/> that are not organizations of the application.</summary>
    ValueTask<IReadOnlyList<string>> UnknownAsync(string applicationId, IReadOnlyCollection<string> organizationIds, CancellationToken cancellationToken);

    /// <summary>
    /// The organizations among <paramref name="roots"/> that exist, with their descendants: what something assigned to
    /// them covers (a device group's organizations restrict its members to this subtree).
    /// </summary>
    ValueTask<IReadOnlySet<string>> SubtreeAsync(string applicationId, IReadOnlyCollection<string> roots, CancellationToken cancellationToken);
}
