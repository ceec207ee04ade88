using Centrum.Organizations;
using Centrum.Outcomes;
using Centrum.Storage;
using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Centrum.Dashboards;

/// <summary>
/// The dashboard a member's home page shows: the one the member marked as its favorite (one per member, kept per
/// member so that each chooses its own), or else the application's default, an application dashboard marked
/// <c>favorite</c> (IoT Central's <c>Dashboard.favorite</c>) that the member sees. Visibility is
/// <see cref="DashboardService"/>'s: a favorite deleted since, or out of the member's reach now, is passed over.
/// </summary>
public sealed class HomeDashboardService(IDbContextFactory<CentrumDbContext> contexts, DashboardService dashboards, IOptions<DashboardsOptions> options)
{
    /// <summary>Marks the dashboard as the caller's favorite, replacing any other; it must be one the caller sees (<paramref name="reach"/>: its reach for reading application dashboards).</summary>
    public async Task<Outcome<Dashboard>> MarkAsync(string applicationId, string dashboardId, string caller, OrganizationReach reach, CancellationToken cancellationToken)
    {
        var dashboard = await dashboards.GetAsync(applicationId, dashboardId, caller, reach, cancellationToken);
        if (!dashboard.Succeeded)
        {
            return dashboard.Problem;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var favorite = await db.DashboardFavorites.FirstOrDefaultAsync(f => f.ApplicationId == applicationId && f.Member == caller, cancellationToken);
        if (favorite is null)
        {
            db.DashboardFavorites.Add(new DashboardFavoriteEntity { ApplicationId = applicationId, Member = caller, DashboardId = dashboardId });
        }
        else
        {
            favorite.DashboardId = dashboardId;
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // The member marked another one at the same moment (the key was taken): one of the two wins, as either would.
            return Problem.Conflict("Your favorite dashboard was changed by another request; try again.");
        }

        return dashboard;
    }

    /// <summary>Clears the caller's favorite: its home page shows the application's default again.</summary>
    public async Task ClearAsync(string applicationId, string caller, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.DashboardFavorites.Where(f => f.ApplicationId == applicationId && f.Member == caller).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>The id of the caller's favorite, whether or not it still exists.</summary>
    public async Task<string?> FavoriteAsync(string applicationId, string caller, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.DashboardFavorites.Where(f => f.ApplicationId == applicationId && f.Member == caller).Select(f => f.DashboardId).FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>The dashboard the caller's home page shows, or null for none (the welcome text).</summary>
    public async Task<Dashboard?> HomeAsync(string applicationId, string caller, OrganizationReach reach, CancellationToken cancellationToken)
    {
        if (await FavoriteAsync(applicationId, caller, cancellationToken) is { } favorite
            && await dashboards.GetAsync(applicationId, favorite, caller, reach, cancellationToken) is { Succeeded: true } mine)
        {
            return mine.Value;
        }

        // The application's defaults by name; at most the application's dashboards, each judged as the area judges it.
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var defaults = await db.Dashboards.Where(d => d.ApplicationId == applicationId && !d.Personal && d.Favorite)
            .OrderBy(d => d.DisplayName).ThenBy(d => d.Id).Select(d => d.Id).Take(options.Value.MaxDashboardsPerApplication).ToListAsync(cancellationToken);
        foreach (var id in defaults)
        {
            if (await dashboards.GetAsync(applicationId, id, caller, reach, cancellationToken) is { Succeeded: true } seen)
            {
                return seen.Value;
            }
        }

        return null;
    }
}
