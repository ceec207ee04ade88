using System.Collections.Concurrent;
using Centrum.Applications;
using Centrum.Storage;
using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace Centrum.Identity.Applications;

/// <summary>Applications by id and by hub host name, cached; a miss goes to the database so that applications created by another process are found.</summary>
internal sealed class ApplicationCatalog(IDbContextFactory<CentrumDbContext> contexts) : IApplicationCatalog
{
    private readonly ConcurrentDictionary<string, Application> _byId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Application> _byHost = new(StringComparer.OrdinalIgnoreCase);

    public async ValueTask<Application?> FindByIdAsync(string applicationId, CancellationToken cancellationToken = default)
    {
        if (_byId.TryGetValue(applicationId, out var cached))
        {
            return cached;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.Applications.AsNoTracking().FirstOrDefaultAsync(a => a.Id == applicationId, cancellationToken);
        return Remember(entity);
    }

    public async ValueTask<Application?> FindByHubHostAsync(string hubHostName, CancellationToken cancellationToken = default)
    {
        if (_byHost.TryGetValue(hubHostName, out var cached))
        {
            return cached;
        }

        // Hub host names are DNS names (ApplicationAdministration refuses any other): a server addressed by an IP
        // address, or by no valid host name at all, addresses no application, and needs no read to know it.
        if (Uri.CheckHostName(hubHostName) != UriHostNameType.Dns)
        {
            return null;
        }

        var lower = hubHostName.ToLowerInvariant();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.Applications.AsNoTracking().FirstOrDefaultAsync(a => a.HubHostName == lower, cancellationToken);
        return Remember(entity);
    }

    public async ValueTask<Application?> FindByIdScopeAsync(string idScope, CancellationToken cancellationToken = default)
    {
        var cached = _byId.Values.FirstOrDefault(a => string.Equals(a.IdScope, idScope, StringComparison.OrdinalIgnoreCase));
        if (cached is not null)
        {
            return cached;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.Applications.AsNoTracking().FirstOrDefaultAsync(a => a.IdScope == idScope, cancellationToken);
        return Remember(entity);
    }

    public async ValueTask<IReadOnlyList<Application>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entities = await db.Applications.AsNoTracking().OrderBy(a => a.Id).ToListAsync(cancellationToken);
        return entities.Select(e => Remember(e)!).ToList();
    }

    public void Forget(string applicationId)
    {
        if (_byId.TryRemove(applicationId, out var removed))
        {
            _byHost.TryRemove(removed.HubHostName, out _);
        }
    }

    private Application? Remember(ApplicationEntity? entity)
    {
        if (entity is null)
        {
            return null;
        }

        var application = ToModel(entity);
        _byId[application.Id] = application;
        _byHost[application.HubHostName] = application;
        return application;
    }

    internal static Application ToModel(ApplicationEntity e) => new(e.Id, e.DisplayName, e.HubHostName, e.IdScope, e.Suspended, e.AutoApprove, e.TelemetryRetention);
}
