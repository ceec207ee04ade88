using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Centrum.Storage;

/// <summary>Brings the metadata database to the current schema. Runs once, before anything else touches it.</summary>
public sealed class StorageInitializer(IDbContextFactory<CentrumDbContext> contexts)
{
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (db.Database.IsNpgsql())
        {
            // Npgsql finds out whether the history table exists by reading it and catching the failure, which EF Core
            // logs as an error on every first start (npgsql/efcore.pg#3407). Creating it first (IF NOT EXISTS) makes
            // that read succeed; Migrate would create the same table.
            await db.GetService<IHistoryRepository>().CreateIfNotExistsAsync(cancellationToken);
        }

        // Migrate also builds the migrations' snapshot model to compare it with the current one (the pending-model-changes
        // check since EF Core 9); a database whose history lists every migration has nothing to apply, so a warm start
        // skips that work.
        if ((await db.Database.GetPendingMigrationsAsync(cancellationToken)).Any())
        {
            await db.Database.MigrateAsync(cancellationToken);
        }

        if (db.Database.IsSqlite())
        {
            // WAL lets the REST API read while the gateway writes; FULL syncs the WAL on every commit, so what the API
            // acknowledged survives power loss too, not only a process crash.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", cancellationToken);
        }
    }
}
