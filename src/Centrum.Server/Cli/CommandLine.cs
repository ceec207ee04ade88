using System.CommandLine;
using Centrum.Applications;
using Centrum.Identity.ApiTokens;
using Centrum.Identity.Applications;
using Centrum.Identity.Authorization;
using Centrum.Identity.Users;
using Centrum.Server.Hosting;
using Centrum.Storage;
using Microsoft.Extensions.Options;

namespace Centrum.Server.Cli;

/// <summary>
/// Administrative verbs that work on the data folder directly: <c>centrum app create</c>, <c>centrum token create</c>,
/// <c>centrum user create</c>.
/// Configuration comes from the same places as the server's (appsettings.json, <c>Centrum__…</c> environment
/// variables, <c>--Centrum:Storage:DataFolder=…</c>), so they act on the same data.
/// </summary>
internal static class CommandLine
{
    public static readonly string[] Verbs = ["app", "token", "user", "admin", "storage"];

    private static readonly Dictionary<string, string> RoleAliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["admin"] = BuiltInRoles.AppAdministrator,
        ["builder"] = BuiltInRoles.AppBuilder,
        ["operator"] = BuiltInRoles.AppOperator,
        ["org-admin"] = BuiltInRoles.OrgAdministrator,
        ["org-operator"] = BuiltInRoles.OrgOperator,
        ["org-viewer"] = BuiltInRoles.OrgViewer,
    };

    public static async Task<int> RunAsync(string[] args)
    {
        // Configuration settings (--Section:Key=value) go to configuration, as for the server; the rest are verbs.
        var settings = args.Where(a => a.StartsWith("--", StringComparison.Ordinal) && a.Contains(':', StringComparison.Ordinal) && a.Contains('=', StringComparison.Ordinal)).ToArray();
        var verbs = args.Except(settings).ToArray();

        var data = new Option<string?>("--data") { Description = "The data folder (default: Centrum:Storage:DataFolder)." };

        var appId = new Option<string>("--id") { Description = "Application id: a lower-case DNS label.", Required = true };
        var appName = new Option<string?>("--name") { Description = "Display name." };
        var appHost = new Option<string?>("--host") { Description = "Hub host name devices dial (default {id}.{first host name})." };
        var manualApproval = new Option<bool>("--manual-approval") { Description = "Devices provisioning for the first time wait for an operator's approval." };
        var retention = new Option<TimeSpan?>("--retention") { Description = "How long telemetry is kept, e.g. 7.00:00:00 (default: Centrum:Telemetry:Retention)." };
        var appCreate = new Command("create", "Create an application.") { appId, appName, appHost, manualApproval, retention, data };
        appCreate.SetAction(async (result, cancellationToken) =>
        {
            await using var services = await OpenAsync(settings, result.GetValue(data), cancellationToken);
            try
            {
                var created = await services.GetRequiredService<ApplicationAdministration>()
                    .CreateAsync(result.GetValue(appId)!, result.GetValue(appName), result.GetValue(appHost), cancellationToken, autoApprove: !result.GetValue(manualApproval), telemetryRetention: result.GetValue(retention));
                Console.WriteLine($"id={created.Id} hubHostName={created.HubHostName} idScope={created.IdScope}");
                return 0;
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
            {
                Console.Error.WriteLine(ex.Message);
                return 1;
            }
        });

        var tokenApp = new Option<string>("--app") { Description = "Application id.", DefaultValueFactory = _ => "default" };
        var tokenId = new Option<string>("--id") { Description = "Token id.", Required = true };
        var tokenRole = new Option<string>("--role") { Description = "admin, builder, operator, org-admin, org-operator, org-viewer, or a role id.", DefaultValueFactory = _ => "admin" };
        var tokenExpiry = new Option<DateTimeOffset?>("--expiry") { Description = "Expiry (default: one year)." };
        var tokenCreate = new Command("create", "Create an API token and print it once.") { tokenApp, tokenId, tokenRole, tokenExpiry, data };
        tokenCreate.SetAction(async (result, cancellationToken) =>
        {
            await using var services = await OpenAsync(settings, result.GetValue(data), cancellationToken);
            var application = result.GetValue(tokenApp)!;
            if (await services.GetRequiredService<IApplicationCatalog>().FindByIdAsync(application, cancellationToken) is null)
            {
                Console.Error.WriteLine($"The application '{application}' does not exist.");
                return 1;
            }

            var role = result.GetValue(tokenRole)!;
            var token = await services.GetRequiredService<ApiTokenService>().CreateAsync(
                application, result.GetValue(tokenId)!, [new RoleAssignment(RoleAliases.GetValueOrDefault(role, role))],
                result.GetValue(tokenExpiry), CallerHoldings.Operator, cancellationToken);
            if (!token.Succeeded)
            {
                Console.Error.WriteLine(token.Problem.Message);
                return 1;
            }

            Console.WriteLine(token.Value.Token);
            return 0;
        });

        var userEmail = new Option<string>("--email") { Required = true };
        var userPassword = new Option<string>("--password") { Description = "At least 12 characters, with upper and lower case letters and a digit.", Required = true };
        var userApp = new Option<string?>("--app") { Description = "Also make the account a member of this application." };
        var userRole = new Option<string>("--role") { Description = "The member's role (with --app).", DefaultValueFactory = _ => "admin" };
        var userCreate = new Command("create", "Create a local account that signs in with email and password.") { userEmail, userPassword, userApp, userRole, data };
        userCreate.SetAction(async (result, cancellationToken) =>
        {
            await using var services = await OpenAsync(settings, result.GetValue(data), cancellationToken);
            await using var scope = services.CreateAsyncScope();
            var email = result.GetValue(userEmail)!;
            var app = result.GetValue(userApp);
            if (app is not null && await services.GetRequiredService<IApplicationCatalog>().FindByIdAsync(app, cancellationToken) is null)
            {
                Console.Error.WriteLine($"The application '{app}' does not exist.");
                return 1;
            }

            var created = await scope.ServiceProvider.GetRequiredService<LocalAccounts>().CreateAsync(email, result.GetValue(userPassword)!);
            if (!created.Succeeded)
            {
                Console.Error.WriteLine(string.Join(" ", created.Errors.Select(e => e.Description)));
                return 1;
            }

            if (app is not null)
            {
                var role = result.GetValue(userRole)!;
                var member = await services.GetRequiredService<UserService>().SaveAsync(
                    app, Guid.NewGuid().ToString(), new ApplicationUser("", "email", email, null, null, [new RoleAssignment(RoleAliases.GetValueOrDefault(role, role))], ""), null, CallerHoldings.Operator, cancellationToken);
                if (!member.Succeeded)
                {
                    Console.Error.WriteLine(member.Problem.Message);
                    return 1;
                }
            }

            Console.WriteLine($"created {email}");
            return 0;
        });

        var appList = new Command("list", "List the applications.") { data };
        appList.SetAction(async (result, cancellationToken) =>
        {
            await using var services = await OpenAsync(settings, result.GetValue(data), cancellationToken);
            foreach (var application in await services.GetRequiredService<ApplicationAdministration>().ListAsync(cancellationToken))
            {
                Console.WriteLine($"id={application.Id} hubHostName={application.HubHostName} idScope={application.IdScope} suspended={application.Suspended.ToString().ToLowerInvariant()}");
            }

            return 0;
        });

        var targetId = new Option<string>("--id") { Description = "Application id.", Required = true };
        Command Suspension(string name, bool suspended) => new(name, suspended
            ? "Suspend an application: its devices and REST callers are refused, its data stays. For a stopped server; while it runs use the administration API."
            : "Resume a suspended application. For a stopped server; while it runs use the administration API.") { targetId, data };
        var appSuspend = Suspension("suspend", true);
        var appResume = Suspension("resume", false);
        foreach (var (command, suspended) in new[] { (appSuspend, true), (appResume, false) })
        {
            command.SetAction(async (result, cancellationToken) =>
            {
                await using var services = await OpenAsync(settings, result.GetValue(data), cancellationToken);
                if (!await services.GetRequiredService<ApplicationAdministration>().SetSuspendedAsync(result.GetValue(targetId)!, suspended, cancellationToken))
                {
                    Console.Error.WriteLine("The application does not exist.");
                    return 1;
                }

                Console.WriteLine(suspended ? "suspended" : "resumed");
                return 0;
            });
        }

        var appDelete = new Command("delete", "Delete an application and all its data. Stop the server first, or use the administration API while it runs.") { targetId, data };
        appDelete.SetAction(async (result, cancellationToken) =>
        {
            await using var services = await OpenAsync(settings, result.GetValue(data), cancellationToken);
            var id = result.GetValue(targetId)!;
            try
            {
                if (!await services.GetRequiredService<ApplicationAdministration>().DeleteAsync(id, cancellationToken))
                {
                    Console.Error.WriteLine("The application does not exist.");
                    return 1;
                }
            }
            catch (InvalidOperationException ex)
            {
                Console.Error.WriteLine(ex.Message);
                return 1;
            }

            var folder = services.GetRequiredService<IOptions<StorageOptions>>().Value.ApplicationFolder(id);
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }

            Console.WriteLine("deleted");
            return 0;
        });

        var adminKey = new Command("key", "Create a new administration key (printed once; the previous key stops working).") { data };
        adminKey.SetAction(async (result, cancellationToken) =>
        {
            await using var services = await OpenAsync(settings, result.GetValue(data), cancellationToken);
            Console.WriteLine(Administration.AdministrationKey.Create(services.GetRequiredService<IOptions<StorageOptions>>().Value));
            return 0;
        });

        var toPostgres = new Option<string>("--to-postgres") { Description = "The Npgsql connection string of the empty PostgreSQL database to copy into.", Required = true };
        var storageCopy = new Command("copy", "Copy the SQLite metadata of the data folder into an empty PostgreSQL database. Stop the server first.") { toPostgres, data };
        storageCopy.SetAction(async (result, cancellationToken) =>
        {
            await using var services = await OpenAsync(settings, result.GetValue(data), cancellationToken);
            if (services.GetRequiredService<IOptions<StorageOptions>>().Value.Provider != MetadataProvider.Sqlite)
            {
                Console.Error.WriteLine($"The source is the SQLite database of the data folder: run the copy with {StorageOptions.Section}:Provider=Sqlite (the default).");
                return 1;
            }

            var sources = services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<CentrumDbContext>>();
            var target = StorageServiceCollectionExtensions.UsePostgreSql(new Microsoft.EntityFrameworkCore.DbContextOptionsBuilder<CentrumDbContext>(), result.GetValue(toPostgres)!)
                .UseApplicationServiceProvider(services).Options;
            try
            {
                foreach (var (table, rows) in await MetadataStoreCopy.CopyAsync(sources.CreateDbContext, () => new CentrumDbContext((Microsoft.EntityFrameworkCore.DbContextOptions<CentrumDbContext>)target), cancellationToken))
                {
                    Console.WriteLine($"{table} {rows}");
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException or Npgsql.NpgsqlException or Microsoft.EntityFrameworkCore.DbUpdateException)
            {
                Console.Error.WriteLine(ex.Message);
                return 1;
            }

            Console.WriteLine($"copied; start the server with {StorageOptions.Section}:Provider=PostgreSql and the same connection string, keeping the data folder (telemetry, certificates, key ring)");
            return 0;
        });

        var root = new RootCommand("Centrum: run without a verb to start the server.")
        {
            new Command("storage", "The metadata store.") { storageCopy },
            new Command("app", "Manage applications.") { appCreate, appList, appSuspend, appResume, appDelete },
            new Command("admin", "The administration API.") { adminKey },
            new Command("token", "Manage API tokens.") { tokenCreate },
            new Command("user", "Manage local accounts.") { userCreate },
        };
        return await root.Parse(verbs).InvokeAsync();
    }

    private static async Task<ServiceProvider> OpenAsync(string[] settings, string? dataFolder, CancellationToken cancellationToken)
    {
        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(settings)
            .AddInMemoryCollection(dataFolder is null ? [] : [new("Centrum:Storage:DataFolder", dataFolder)])
            .Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        CentrumHost.AddCentrumCore(services, configuration);
        var provider = services.BuildServiceProvider();
        await CentrumHost.PrepareAsync(provider, cancellationToken);
        return provider;
    }
}
