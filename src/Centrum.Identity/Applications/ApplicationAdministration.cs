using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Centrum.Applications;
using Centrum.Hosting;
using Centrum.Storage;
using Centrum.Storage.Entities;
using Centrum.Storage.Ownership;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Centrum.Identity.Applications;

/// <summary>Creates applications; the administration API and the command line both come through here.</summary>
public sealed partial class ApplicationAdministration(
    IDbContextFactory<CentrumDbContext> contexts,
    IApplicationCatalog catalog,
    ApiTokens.ApiTokenService tokens,
    IOptions<NetworkOptions> network,
    IOptions<ApplicationOptions> options,
    TimeProvider time,
    IEnumerable<IAreaData> areas)
{
    /// <summary>Lower-case DNS label: the id becomes a sub-domain.</summary>
    public const string IdPattern = "^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$";

    public async Task<Application> CreateAsync(string id, string? displayName, string? hubHostName, CancellationToken cancellationToken, bool autoApprove = true, TimeSpan? telemetryRetention = null)
    {
        if (!IdRegex().IsMatch(id))
        {
            throw new ArgumentException($"Application id '{id}' must be a lower-case DNS label (letters, digits, '-').", nameof(id));
        }

        var host = (string.IsNullOrWhiteSpace(hubHostName) ? $"{id}.{network.Value.EffectiveHostNames[0]}" : hubHostName.Trim()).ToLowerInvariant();
        if (Uri.CheckHostName(host) != UriHostNameType.Dns)
        {
            throw new ArgumentException($"Hub host name '{host}' is not a DNS name.", nameof(hubHostName));
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await db.Applications.AnyAsync(a => a.Id == id || a.HubHostName == host, cancellationToken))
        {
            throw new InvalidOperationException($"An application with id '{id}' or hub host name '{host}' already exists.");
        }

        var entity = new ApplicationEntity
        {
            Id = id,
            DisplayName = string.IsNullOrWhiteSpace(displayName) ? id : displayName.Trim(),
            HubHostName = host,
            IdScope = NewIdScope(),
            AutoApprove = autoApprove,
            TelemetryRetention = telemetryRetention,
            CreatedAt = time.GetUtcNow(),
        };
        db.Applications.Add(entity);
        await db.SaveChangesAsync(cancellationToken);
        return ApplicationCatalog.ToModel(entity);
    }

    public ValueTask<IReadOnlyList<Application>> ListAsync(CancellationToken cancellationToken) => catalog.ListAsync(cancellationToken);

    /// <summary>The default application is where the command line and first start put things; it can be suspended, not deleted.</summary>
    public bool IsDefault(string id) => id == options.Value.DefaultApplicationId;

    /// <summary>A suspended application refuses its devices and its REST callers; its data stays. False when it does not exist.</summary>
    public async Task<bool> SetSuspendedAsync(string id, bool suspended, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var updated = await db.Applications.Where(a => a.Id == id).ExecuteUpdateAsync(s => s.SetProperty(a => a.Suspended, suspended), cancellationToken) > 0;
        catalog.Forget(id);
        return updated;
    }

    /// <summary>
    /// Deletes an application's metadata: each area that owns rows of it lets go of them in this unit of work
    /// (<see cref="IAreaData"/>), then the application row goes with this area's own rows (tokens, users, roles,
    /// organizations, by their cascade). Its telemetry folder is the caller's to remove once the store is closed.
    /// </summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        if (IsDefault(id))
        {
            throw new InvalidOperationException("The default application cannot be deleted; suspend it instead.");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        foreach (var area in areas)
        {
            await area.ReleaseApplicationAsync(db, id, cancellationToken);
        }

        var deleted = await db.Applications.Where(a => a.Id == id).ExecuteDeleteAsync(cancellationToken) > 0;
        await transaction.CommitAsync(cancellationToken);
        catalog.Forget(id);
        tokens.ForgetVerified();
        return deleted;
    }

    /// <summary>Creates the default application on first start.</summary>
    public async Task<Application> EnsureDefaultAsync(CancellationToken cancellationToken)
    {
        var id = options.Value.DefaultApplicationId;
        return await catalog.FindByIdAsync(id, cancellationToken)
            ?? await CreateAsync(id, "Default application", options.Value.DefaultHubHostName, cancellationToken);
    }

    /// <summary>DPS scopes look like <c>0ne0012ABCD</c>.</summary>
    private static string NewIdScope() => "0ne" + Convert.ToHexString(RandomNumberGenerator.GetBytes(4));

    [GeneratedRegex(IdPattern)]
    private static partial Regex IdRegex();
}
