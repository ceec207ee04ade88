using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace Centrum.Storage;

/// <summary>
/// Copies every row of one metadata store into another, empty one, keeping ids (the event log's positions, which export
/// cursors point at, and the cloud-to-device queue's ids): how an existing SQLite data folder moves to PostgreSQL.
/// The server must be stopped, so the source does not change during the copy.
/// </summary>
public static class MetadataStoreCopy
{
    /// <summary>Rows saved per round trip: big enough to amortise it, small enough to keep the change tracker cheap.</summary>
    private const int BatchSize = 1000;

    /// <summary>Copies <paramref name="source"/> into <paramref name="target"/>; returns the rows copied per table.</summary>
    /// <exception cref="InvalidOperationException">The target holds data already.</exception>
    public static async Task<IReadOnlyList<(string Table, int Rows)>> CopyAsync(
        Func<CentrumDbContext> source, Func<CentrumDbContext> target, CancellationToken cancellationToken)
    {
        await using (var db = target())
        {
            await db.Database.MigrateAsync(cancellationToken);
            if (await db.Applications.AnyAsync(cancellationToken) || await db.Users.AnyAsync(cancellationToken))
            {
                throw new InvalidOperationException("The target database already holds applications or accounts: copy into an empty database.");
            }
        }

        var copied = new List<(string, int)>();
        using var model = source();
        foreach (var entityType in PrincipalsFirst(model.Model))
        {
            var rows = await (Task<int>)typeof(MetadataStoreCopy).GetMethod(nameof(CopyTableAsync), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                .MakeGenericMethod(entityType.ClrType).Invoke(null, [source, target, cancellationToken])!;
            copied.Add((entityType.GetTableName()!, rows));
        }

        await using (var db = target())
        {
            if (db.Database.IsNpgsql())
            {
                await RestartIdentitiesAsync(db, cancellationToken);
            }
        }

        return copied;
    }

    private static async Task<int> CopyTableAsync<T>(Func<CentrumDbContext> source, Func<CentrumDbContext> target, CancellationToken cancellationToken)
        where T : class
    {
        await using var from = source();
        var to = target();
        var rows = 0;
        try
        {
            await foreach (var row in from.Set<T>().AsNoTracking().AsAsyncEnumerable().WithCancellation(cancellationToken))
            {
                to.Set<T>().Add(row);
                if (++rows % BatchSize == 0)
                {
                    await to.SaveChangesAsync(cancellationToken);
                    await to.DisposeAsync();
                    to = target();
                }
            }

            await to.SaveChangesAsync(cancellationToken);
        }
        finally
        {
            await to.DisposeAsync();
        }

        return rows;
    }

    /// <summary>
    /// Rows inserted with their ids do not move an identity column's sequence (PostgreSQL documentation, "CREATE
    /// TABLE": an identity column takes a value from its sequence only when none is given), so each sequence is set
    /// past the largest id copied; the next event continues the log where the SQLite one ended.
    /// </summary>
    private static async Task RestartIdentitiesAsync(CentrumDbContext db, CancellationToken cancellationToken)
    {
        foreach (var entityType in db.Model.GetEntityTypes())
        {
            foreach (var property in entityType.GetProperties().Where(p => NpgsqlPropertyExtensions.GetValueGenerationStrategy(p) == NpgsqlValueGenerationStrategy.IdentityByDefaultColumn))
            {
                var table = entityType.GetTableName()!;
                var column = property.GetColumnName();
#pragma warning disable EF1002 // Table and column names come from the model, not from input.
                await db.Database.ExecuteSqlRawAsync(
                    $"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{column}'), COALESCE((SELECT MAX(\"{column}\") FROM \"{table}\"), 0) + 1, false)", cancellationToken);
#pragma warning restore EF1002
            }
        }
    }

    /// <summary>Entity types ordered so that every table comes after the tables its foreign keys point at.</summary>
    private static List<IEntityType> PrincipalsFirst(IModel model)
    {
        var ordered = new List<IEntityType>();
        var visited = new HashSet<IEntityType>();
        void Visit(IEntityType type)
        {
            if (!visited.Add(type))
            {
                return;
            }

            foreach (var principal in type.GetForeignKeys().Select(f => f.PrincipalEntityType).Where(p => p != type))
            {
                Visit(principal);
            }

            ordered.Add(type);
        }

        foreach (var type in model.GetEntityTypes().Where(t => t.GetTableName() is not null && !t.IsOwned()).OrderBy(t => t.GetTableName(), StringComparer.Ordinal))
        {
            Visit(type);
        }

        return ordered;
    }
}
