namespace Centrum.Organizations;

/// <summary>What other areas may ask about organizations, answered by the identity area, which owns them.</summary>
public interface IOrganizationCatalog
{
    /// <summary>The ids among <paramref name="organizationIds"/> that are not organizations of the application.</summary>
    ValueTask<IReadOnlyList<string>> UnknownAsync(string applicationId, IReadOnlyCollection<string> organizationIds, CancellationToken cancellationToken);
}
