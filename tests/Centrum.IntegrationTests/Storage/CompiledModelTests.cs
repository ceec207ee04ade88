using Centrum.Server.Hosting;
using Centrum.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.IntegrationTests.Storage;

/// <summary>
/// The server reads the metadata store through a compiled model (src/Centrum.Storage/CompiledModel), generated from
/// <see cref="CentrumDbContext"/>; a compiled model does not follow later changes to the entities or to
/// <c>OnModelCreating</c> by itself, and a stale one fails only at run time, in the query that meets the difference.
/// These tests compare it with the model EF Core builds from the code, as the server configures it (Identity's schema
/// version included), from the entity configurations of every area. When they fail, regenerate it from the
/// repository root and commit the result (the tools run from Centrum.Server, the project that sees every area):
/// <code>
/// dotnet tool restore
/// dotnet ef dbcontext optimize -p src/Centrum.Storage -s src/Centrum.Server -c CentrumDbContext -o CompiledModel -n Centrum.Storage.CompiledModel
/// rm src/Centrum.Storage/CompiledModel/CentrumDbContextAssemblyAttributes.cs
/// </code>
/// (the assembly attribute is left out so that no other provider picks the SQLite model up; see
/// <c>StorageServiceCollectionExtensions.UseMetadataStore</c>).
/// </summary>
public sealed class CompiledModelTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "centrum-tests", "model-" + Guid.NewGuid().ToString("N"));
    private readonly ServiceProvider _services;

    public CompiledModelTests()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Centrum:Storage:DataFolder"] = _folder }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        CentrumHost.AddCentrumCore(services, configuration);
        _services = services.BuildServiceProvider();
    }

    [Fact]
    public void The_server_uses_the_compiled_model()
    {
        using var db = _services.GetRequiredService<IDbContextFactory<CentrumDbContext>>().CreateDbContext();
        Assert.Same(Centrum.Storage.CompiledModel.CentrumDbContextModel.Instance, db.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()!.Model);
    }

    [Fact]
    public void The_compiled_model_has_the_tables_columns_keys_and_indexes_of_the_model_built_from_the_code()
    {
        using var db = _services.GetRequiredService<IDbContextFactory<CentrumDbContext>>().CreateDbContext();
        var compiled = db.Model;
        var built = db.GetService<IDesignTimeModel>().Model;
        Assert.NotSame(compiled, built);

        // What the database sees: the relational model the queries and updates are generated from. (Migrations'
        // differ needs design-time configuration a compiled model does not keep, so the parts are compared here.)
        Assert.Equal(DescribeTables(built.GetRelationalModel()), DescribeTables(compiled.GetRelationalModel()));

        // What EF Core does with the rows: entity types, CLR types, nullability, converters, keys, relationships and
        // filters, which the relational comparison does not see.
        Assert.Equal(Describe(built), Describe(compiled));
    }

    [Fact]
    public void The_migrations_cover_the_model_built_from_the_code()
    {
        // The server's first start on an empty folder skips Migrate's own comparison of the model with the last
        // migration's snapshot when the compiled model is in use; this is that comparison.
        using var db = _services.GetRequiredService<IDbContextFactory<CentrumDbContext>>().CreateDbContext();
        Assert.False(db.Database.HasPendingModelChanges(), "The model has changes no migration holds: add a migration (dotnet ef migrations add <Name> -p src/Centrum.Storage -s src/Centrum.Server).");
    }

    private static List<string> DescribeTables(IRelationalModel model) =>
        model.Tables.OrderBy(t => t.Name, StringComparer.Ordinal).SelectMany(t => new[]
        {
            $"table {t.Schema}.{t.Name} primary key {t.PrimaryKey?.Name} ({string.Join(",", t.PrimaryKey?.Columns.Select(c => c.Name) ?? [])})",
        }.Concat(t.Columns.OrderBy(c => c.Name, StringComparer.Ordinal).Select(c => $"  column {c.Name} {c.StoreType} nullable {c.IsNullable}"))
        .Concat(t.UniqueConstraints.Select(u => $"  unique {u.Name} ({string.Join(",", u.Columns.Select(c => c.Name))})").Order(StringComparer.Ordinal))
        .Concat(t.ForeignKeyConstraints.Select(f =>
            $"  foreign key {f.Name} ({string.Join(",", f.Columns.Select(c => c.Name))}) -> {f.PrincipalTable.Name} ({string.Join(",", f.PrincipalColumns.Select(c => c.Name))}) on delete {f.OnDeleteAction}").Order(StringComparer.Ordinal))
        .Concat(t.Indexes.Select(i => $"  index {i.Name} ({string.Join(",", i.Columns.Select(c => c.Name))}) unique {i.IsUnique}").Order(StringComparer.Ordinal)))
        .ToList();

    private static List<string> Describe(IModel model) =>
        model.GetEntityTypes().OrderBy(e => e.Name, StringComparer.Ordinal).SelectMany(e => new[]
        {
            $"{e.Name} base {e.BaseType?.Name} filters {e.GetDeclaredQueryFilters().Count}",
        }.Concat(e.GetDeclaredProperties().OrderBy(p => p.Name, StringComparer.Ordinal).Select(p =>
            $"  {p.Name}: {p.ClrType} nullable {p.IsNullable} max {p.GetMaxLength()} converter {p.GetTypeMapping().Converter?.GetType()} generated {p.ValueGenerated} concurrency {p.IsConcurrencyToken}"))
        .Concat(e.GetDeclaredKeys().Select(k => $"  key {string.Join(",", k.Properties.Select(p => p.Name))} primary {k.IsPrimaryKey()}").Order(StringComparer.Ordinal))
        .Concat(e.GetDeclaredForeignKeys().Select(f => $"  foreign key {string.Join(",", f.Properties.Select(p => p.Name))} -> {f.PrincipalEntityType.Name} {f.DeleteBehavior} required {f.IsRequired}").Order(StringComparer.Ordinal))
        .Concat(e.GetDeclaredNavigations().Select(n => $"  navigation {n.Name} -> {n.TargetEntityType.Name}").Order(StringComparer.Ordinal))
        .Concat(e.GetDeclaredIndexes().Select(i => $"  index {string.Join(",", i.Properties.Select(p => p.Name))} unique {i.IsUnique}").Order(StringComparer.Ordinal)))
        .ToList();

    public void Dispose()
    {
        _services.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
