namespace Centrum.Applications;

/// <summary>The one way in to look applications up; devices find theirs by hub host name.</summary>
public interface IApplicationCatalog
{
    ValueTask<Application?> FindByIdAsync(string applicationId, CancellationToken cancellationToken = default);

    ValueTask<Application?> FindByHubHostAsync(string hubHostName, CancellationToken cancellationToken = default);

    /// <summary>The DPS ID scope selects the application during provisioning.</summary>
    ValueTask<Application?> FindByIdScopeAsync(string idScope, CancellationToken cancellationToken = default);

    ValueTask<IReadOnlyList<Application>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Drops what is remembered of an application after it changed (suspended, resumed, deleted).</summary>
    void Forget(string applicationId);
}
