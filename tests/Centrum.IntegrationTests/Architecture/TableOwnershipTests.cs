using System.Reflection;
using Centrum.IntegrationTests.Architecture.Fixtures;
using Centrum.Server.Hosting;
using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Mono.Cecil;

namespace Centrum.IntegrationTests.Architecture;

/// <summary>
/// Table ownership (docs/architecture.md, "Table ownership"): each table is configured by exactly one area, only that
/// area writes it, other areas read it only through the owner's services (or by a reason listed here), and the REST
/// layer names neither the context nor an entity. Read from the IL of the built assemblies by
/// <see cref="OwnershipScanner"/>; the owner of an entity is the assembly holding its <c>IEntityTypeConfiguration</c>.
/// </summary>
public sealed class TableOwnershipTests
{
    /// <summary>The target of issue 12: table to owning area.</summary>
    private static readonly Dictionary<string, string> ExpectedOwners = new(StringComparer.Ordinal)
    {
        ["applications"] = "Identity", ["users"] = "Identity", ["user_claims"] = "Identity", ["user_logins"] = "Identity",
        ["user_tokens"] = "Identity", ["user_roles"] = "Identity", ["roles"] = "Identity", ["role_claims"] = "Identity",
        ["user_passkeys"] = "Identity", ["application_users"] = "Identity", ["api_tokens"] = "Identity",
        ["custom_roles"] = "Identity", ["organizations"] = "Identity",
        ["devices"] = "Devices", ["modules"] = "Devices", ["device_relationships"] = "Devices",
        ["file_upload_settings"] = "Devices", ["file_uploads"] = "Devices",
        ["mqtt_sessions"] = "Gateway",
        ["twins"] = "Twins",
        ["deployment_manifests"] = "Twins",
        ["device_templates"] = "Templates",
        ["enrollment_groups"] = "Provisioning",
        ["command_records"] = "Commands", ["c2d_messages"] = "Commands",
        ["data_exports"] = "Export", ["data_export_destinations"] = "Export", ["export_cursors"] = "Export",
        ["device_events"] = "Storage",
        ["device_groups"] = "Groups",
        ["jobs"] = "Jobs", ["job_devices"] = "Jobs", ["scheduled_jobs"] = "Jobs",
        ["dashboards"] = "Dashboards", ["saved_queries"] = "Dashboards", ["dashboard_favorites"] = "Dashboards",
    };

    /// <summary>Reads of another area's table that stay, each with its reason. Writes have no such list.</summary>
    private static readonly (string Area, string Entity, string Reason)[] AllowedReads =
    [
        ("Export", "DeviceEventEntity", "export follows each application's device-event log by id after its cursor; the log's ordering rule makes such reads safe, and its owner keeps the writes"),
        ("Identity", "DeviceEventEntity", "the audit list reads the log's audit entries (kind Audited) of one application; they are appended and pruned through DeviceEventLog"),
    ];

    /// <summary>The assemblies that could touch the store: the owning areas, the REST layer, telemetry and the host.</summary>
    private static readonly Assembly[] Scanned =
    [
        .. MetadataAreas.All,
        typeof(Centrum.Api.ApiEndpoints).Assembly,
        typeof(Centrum.Telemetry.TelemetryServiceCollectionExtensions).Assembly,
        typeof(CentrumHost).Assembly,
    ];

    private static readonly Lazy<Model> Loaded = new(Model.Load);

    [Fact]
    public void Every_entity_of_the_model_is_configured_by_exactly_one_area_the_one_the_ownership_names()
    {
        var model = Loaded.Value;
        var problems = ConfigurationProblems(model.Tables, model.Configurations);
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        Assert.Equal(ExpectedOwners.Keys.Order(StringComparer.Ordinal), model.Tables.Values.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void No_area_writes_a_table_it_does_not_own()
    {
        var violations = Loaded.Value.ForeignUses().Where(u => u.Access == Access.Writes).Select(u => u.ToString()).Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.True(violations.Count == 0, "Writes of another area's table:" + Environment.NewLine + string.Join(Environment.NewLine, violations));
    }

    [Fact]
    public void No_area_reads_a_table_it_does_not_own_but_by_a_listed_reason()
    {
        var violations = Loaded.Value.ForeignUses().Where(u => u.Access == Access.Reads && !IsAllowed(u))
            .Select(u => u.ToString()).Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.True(violations.Count == 0, "Reads of another area's table:" + Environment.NewLine + string.Join(Environment.NewLine, violations));
    }

    [Fact]
    public void The_rest_layer_names_neither_the_context_nor_a_set_nor_an_entity()
    {
        var model = Loaded.Value;
        var forbidden = model.Tables.Keys.Concat(["Centrum.Storage.CentrumDbContext", "Microsoft.EntityFrameworkCore.DbSet`1"]);
        var api = model.Assemblies.Single(a => OwnershipScanner.AreaOf(a) == "Api");
        var violations = new OwnershipScanner(forbidden).Scan(api).Select(u => u.ToString()).Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.True(violations.Count == 0, "The REST layer reaches the store:" + Environment.NewLine + string.Join(Environment.NewLine, violations));
    }

    /// <summary>The scanner itself, on code written to break the rule in each way it must see.</summary>
    [Fact]
    public void The_scanner_finds_writes_and_reads_in_methods_lambdas_and_state_machines()
    {
        var model = Loaded.Value;
        using var tests = AssemblyDefinition.ReadAssembly(typeof(ForeignWriter).Assembly.Location);
        var uses = new OwnershipScanner(model.Tables.Keys).Scan(tests, t => t.FullName == typeof(ForeignWriter).FullName)
            .Select(u => $"{OwnershipScanner.ShortName(u.Entity)} ({u.Method}) {u.Access.ToString().ToLowerInvariant()}").ToHashSet(StringComparer.Ordinal);

        string[] expected =
        [
            "DeviceEntity (ForeignWriter.NewDevice) writes",
            "DeviceEntity (ForeignWriter.AddAsync) writes",
            "TwinEntity (ForeignWriter.DeleteLater) writes",
            "DeviceTemplateEntity (ForeignWriter.Rename) writes",
            "CommandRecordEntity (ForeignWriter.Touch) writes",
            "EnrollmentGroupEntity (ForeignWriter.ReadAsync) reads",
            $"{OwnershipScanner.Unnamed} (ForeignWriter.AddAny) writes",
            $"{OwnershipScanner.Unnamed} (ForeignWriter.AddUntyped) writes",
        ];
        Assert.All(expected, e => Assert.Contains(e, uses));

        // Reading alone is not writing: the query method reports no write.
        Assert.DoesNotContain("EnrollmentGroupEntity (ForeignWriter.ReadAsync) writes", uses);
        Assert.Equal("Devices → DeviceEntity (DeviceRegistry.DeleteAsync) writes", new EntityUse("Devices", "DeviceEntity", "DeviceRegistry.DeleteAsync", Access.Writes).ToString());
    }

    [Fact]
    public void The_scanner_sees_a_foreign_write_in_a_real_area_as_a_violation()
    {
        // Gateway's session store writes mqtt_sessions, its own; scanned as if the templates area owned that table,
        // the same IL is a foreign write: the owner, not the code, decides.
        var model = Loaded.Value;
        var gateway = model.Assemblies.Single(a => OwnershipScanner.AreaOf(a) == "Gateway");
        var session = OwnershipScanner.NameOf(typeof(MqttSessionEntity));
        var uses = new OwnershipScanner(model.Tables.Keys).Scan(gateway).ToList();
        Assert.Contains(uses, u => u.Entity == session && u.Access == Access.Writes && u.Method.StartsWith("SessionStore.", StringComparison.Ordinal));
        var owners = model.Owners.ToDictionary(StringComparer.Ordinal);
        owners[session] = "Templates";
        Assert.Contains(Model.Foreign(uses, owners), u => u.Entity == session && u.Access == Access.Writes);
    }

    /// <summary>The configuration check, on the model's configurations and a second one of the devices table written for the purpose.</summary>
    [Fact]
    public void A_table_configured_twice_or_by_the_wrong_area_is_refused_and_rest_naming_the_context_is_seen()
    {
        var model = Loaded.Value;
        using var tests = AssemblyDefinition.ReadAssembly(typeof(ForeignWriter).Assembly.Location);
        var second = OwnershipScanner.Configurations(tests).Where(c => c.Configuration == typeof(SecondDeviceConfiguration).FullName).ToList();
        Assert.Contains(ConfigurationProblems(model.Tables, [.. model.Configurations, .. second]), p => p.StartsWith("DeviceEntity (devices) is configured 2 times", StringComparison.Ordinal));

        var moved = model.Configurations.Select(c => c.Entity == OwnershipScanner.NameOf(typeof(TwinEntity)) ? c with { Area = "Devices" } : c).ToList();
        Assert.Equal(["twins is configured by Devices, the ownership names Twins"], ConfigurationProblems(model.Tables, moved));

        string[] storeTypes = ["Centrum.Storage.CentrumDbContext", "Microsoft.EntityFrameworkCore.DbSet`1"];
        var named = new OwnershipScanner(storeTypes).Scan(tests, t => t.FullName == typeof(ForeignWriter).FullName)
            .Select(u => u.Entity).Where(e => e != OwnershipScanner.Unnamed).Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(storeTypes, named);
    }

    private static List<string> ConfigurationProblems(IReadOnlyDictionary<string, string> tables, IReadOnlyList<(string Entity, string Area, string Configuration)> configurations)
    {
        var problems = new List<string>();
        foreach (var (entity, table) in tables)
        {
            var owners = configurations.Where(c => c.Entity == entity).ToList();
            if (owners.Count != 1)
            {
                problems.Add($"{OwnershipScanner.ShortName(entity)} ({table}) is configured {owners.Count} times: {string.Join(", ", owners.Select(o => o.Configuration))}");
            }
            else if (!ExpectedOwners.TryGetValue(table, out var expected) || owners[0].Area != expected)
            {
                problems.Add($"{table} is configured by {owners[0].Area}, the ownership names {expected ?? "no area"}");
            }
        }

        problems.AddRange(configurations.Where(c => !tables.ContainsKey(c.Entity)).Select(c => $"{c.Configuration} configures {c.Entity}, which is not in the model"));
        return problems;
    }


    private static bool IsAllowed(EntityUse use) => AllowedReads.Any(a => a.Area == use.Area && a.Entity == OwnershipScanner.ShortName(use.Entity));

    private sealed class Model
    {
        public required IReadOnlyList<AssemblyDefinition> Assemblies { get; init; }

        /// <summary>Entity (Cecil name) to table.</summary>
        public required IReadOnlyDictionary<string, string> Tables { get; init; }

        public required IReadOnlyList<(string Entity, string Area, string Configuration)> Configurations { get; init; }

        /// <summary>Entity to owning area, for entities configured exactly once.</summary>
        public IEnumerable<KeyValuePair<string, string>> Owners =>
            Configurations.GroupBy(c => c.Entity).Where(g => g.Count() == 1).Select(g => KeyValuePair.Create(g.Key, g.Single().Area));

        public static Model Load()
        {
            using var db = new DesignTimeFactory().CreateDbContext([]);
            var tables = db.Model.GetEntityTypes().Where(e => !e.IsOwned())
                .ToDictionary(e => OwnershipScanner.NameOf(e.ClrType), e => e.GetTableName()!, StringComparer.Ordinal);
            var assemblies = Scanned.Distinct().Select(a => AssemblyDefinition.ReadAssembly(a.Location)).ToList();
            return new Model
            {
                Assemblies = assemblies,
                Tables = tables,
                Configurations = assemblies.SelectMany(OwnershipScanner.Configurations).ToList(),
            };
        }

        /// <summary>Every use, in every scanned assembly, of an entity another area owns.</summary>
        public IEnumerable<EntityUse> ForeignUses()
        {
            var scanner = new OwnershipScanner(Tables.Keys);
            return Foreign(Assemblies.SelectMany(a => scanner.Scan(a)), Owners.ToDictionary(StringComparer.Ordinal));
        }

        public static IEnumerable<EntityUse> Foreign(IEnumerable<EntityUse> uses, Dictionary<string, string> owners) =>
            uses.Where(u => !owners.TryGetValue(u.Entity, out var owner) || (owner != u.Area && owner != u.Through));
    }
}
