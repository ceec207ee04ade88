using System.Data.Common;
using System.Text;
using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Centrum.Storage.Writing;

/// <summary>
/// A batch's new rows in multi-row <c>INSERT … VALUES (…), (…)</c> statements instead of EF Core's one statement per
/// row (one per row on SQLite, whose provider does not batch): many devices created in one group commit cost one
/// statement per table and chunk. Runs in the batch's transaction, after every write was applied and before
/// <c>SaveChanges</c>, which then saves the rest (updates, deletes, rows this leaves to it).
/// <para>
/// The events the batch appended are inserted in the order they were appended, with <c>RETURNING</c> their ids: a
/// single <c>INSERT</c> assigns ids in the order of its <c>VALUES</c> rows on both stores (SQLite's
/// <c>AUTOINCREMENT</c> takes the next rowid row by row; PostgreSQL evaluates the identity's <c>nextval</c> per row as
/// it inserts them), and the batch holds its stores' write lock for the applications concerned (SQLite's one writer,
/// PostgreSQL's advisory locks), so the returned ids sorted are the rows' ids in that order; they are then detached
/// from EF. Other new rows are inserted here only where it is safe to take them ahead of <c>SaveChanges</c>: an entity
/// type without store-generated values, table splitting, owned or complex parts, inheritance or collections mapped
/// to JSON, none of whose rows the batch deletes through EF and none of whose principals the batch adds. Those rows
/// are then marked unchanged, as <c>SaveChanges</c> would leave them.
/// </para>
/// <para>
/// A statement the store refuses surfaces as a <see cref="DbUpdateException"/>, as a refused <c>SaveChanges</c> does,
/// so the writer splits the batch as before and callers see what they saw before.
/// </para>
/// </summary>
internal static class MultiRowInsert
{
    /// <summary>Parameters per statement at most: below SQLite's default limit (32,766) and PostgreSQL's (65,535).</summary>
    private const int MaxParameters = 4_000;

    public static async Task InsertAsync(CentrumDbContext db, List<PendingEvent> events, CancellationToken cancellationToken)
    {
        var entries = db.ChangeTracker.Entries().ToList();
        var added = entries.Where(e => e.State == EntityState.Added && e.Metadata.ClrType != typeof(DeviceEventEntity)).GroupBy(e => e.Metadata).ToList();
        var addedTypes = added.Select(g => g.Key).ToHashSet();
        var deletedTypes = entries.Where(e => e.State == EntityState.Deleted).Select(e => e.Metadata).ToHashSet();
        foreach (var group in added)
        {
            var type = group.Key;
            if (deletedTypes.Contains(type) || type.GetForeignKeys().Any(fk => addedTypes.Contains(fk.PrincipalEntityType)) || Columns(type, skipGenerated: false) is not { } columns)
            {
                continue;
            }

            var rows = group.ToList();
            await ExecuteAsync(db, type, columns, rows, returning: null, cancellationToken);
            foreach (var row in rows)
            {
                row.State = EntityState.Unchanged;
            }
        }

        if (events.Count > 0)
        {
            await InsertEventsAsync(db, events, cancellationToken);
        }
    }

    private static async Task InsertEventsAsync(CentrumDbContext db, List<PendingEvent> events, CancellationToken cancellationToken)
    {
        var type = db.Model.FindEntityType(typeof(DeviceEventEntity))!;
        var id = type.FindPrimaryKey()!.Properties.Single();
        var columns = Columns(type, skipGenerated: true)!;
        var rows = events.Select(e => (EntityEntry)db.Entry(e.Row)).ToList();
        var ids = await ExecuteAsync(db, type, columns, rows, id, cancellationToken);
        if (ids.Count != rows.Count)
        {
            throw new DbUpdateException($"The event log answered {ids.Count} ids for {rows.Count} events.");
        }

        ids.Sort();
        for (var i = 0; i < rows.Count; i++)
        {
            rows[i].State = EntityState.Detached;
            events[i].Row.Id = ids[i];
        }
    }

    /// <summary>The columns to insert, or null when the type is not one this inserts (see the class).</summary>
    private static List<IProperty>? Columns(IEntityType type, bool skipGenerated)
    {
        if (type.GetTableName() is null || type.BaseType is not null || type.GetDirectlyDerivedTypes().Any() || type.IsOwned()
            || type.GetNavigations().Any(n => n.TargetEntityType.IsOwned()) || type.GetComplexProperties().Any()
            || type.GetViewName() is not null
            || type.Model.GetEntityTypes().Count(t => t.GetTableName() == type.GetTableName() && t.GetSchema() == type.GetSchema()) != 1)
        {
            return null;
        }

        var columns = new List<IProperty>();
        foreach (var property in type.GetProperties())
        {
            // A value the store or EF generates (an identity, a default EF leaves to the store) is EF's to handle.
            var generated = property.ValueGenerated != ValueGenerated.Never;
            if (generated && skipGenerated && property.IsPrimaryKey())
            {
                continue;
            }

            if (generated || property.GetElementType() is not null || property.GetTypeMapping() is not RelationalTypeMapping || property.IsPrimitiveCollection)
            {
                return null;
            }

            columns.Add(property);
        }

        return columns;
    }

    private static async Task<List<long>> ExecuteAsync(
        CentrumDbContext db, IEntityType type, List<IProperty> columns, List<EntityEntry> rows, IProperty? returning, CancellationToken cancellationToken)
    {
        var sql = db.GetService<ISqlGenerationHelper>();
        var table = StoreObjectIdentifier.Table(type.GetTableName()!, type.GetSchema());
        var head = $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} ({string.Join(", ", columns.Select(c => sql.DelimitIdentifier(c.GetColumnName(table)!)))}) VALUES ";
        var tail = returning is null ? "" : $" RETURNING {sql.DelimitIdentifier(returning.GetColumnName(table)!)}";
        var perStatement = Math.Max(1, MaxParameters / columns.Count);
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        var ids = new List<long>(returning is null ? 0 : rows.Count);
        var text = new StringBuilder();
        for (var start = 0; start < rows.Count; start += perStatement)
        {
            var count = Math.Min(perStatement, rows.Count - start);
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            text.Clear().Append(head);
            for (var r = 0; r < count; r++)
            {
                var values = rows[start + r].CurrentValues;
                text.Append(r == 0 ? "(" : ", (");
                for (var c = 0; c < columns.Count; c++)
                {
                    var name = $"@p{command.Parameters.Count}";
                    var property = columns[c];
                    command.Parameters.Add(((RelationalTypeMapping)property.GetTypeMapping()).CreateParameter(command, name, values[property], property.IsNullable));
                    text.Append(c == 0 ? name : ", " + name);
                }

                text.Append(')');
            }

            command.CommandText = text.Append(tail).ToString();
            try
            {
                if (returning is null)
                {
                    await command.ExecuteNonQueryAsync(cancellationToken);
                    continue;
                }

                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    ids.Add(reader.GetInt64(0));
                }
            }
            catch (DbException ex)
            {
                throw new DbUpdateException($"The store refused new rows of {table.Name}: {ex.Message}", ex);
            }
        }

        return ids;
    }
}
