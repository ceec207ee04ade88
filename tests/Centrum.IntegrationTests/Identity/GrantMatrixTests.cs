using System.Net;
using System.Text.Json.Nodes;

namespace Centrum.IntegrationTests.Identity;

/// <summary>
/// The grant half of the authorization matrix: every operation that grants something (API tokens, users, roles,
/// organizations) × each predefined role and custom roles, assigned application-wide or within an organization. Each
/// caller tries grants within and beyond its own permissions and reach; what it holds comes from role-permissions.txt
/// (the same table the operation matrix reads), not from the server. A grant beyond is refused with 403 in IoT
/// Central's error shape naming what is missing, and the administrator then reads that nothing changed; a grant within
/// succeeds and is there.
/// </summary>
public sealed class GrantMatrixTests
{
    private const string Version = DeviceApi.Version;

    private static readonly Dictionary<string, string> PredefinedRoles = new()
    {
        ["admin"] = "ca310b8d-2f4a-44e0-a36e-957c202cd8d4",
        ["builder"] = "344138e9-8de4-4497-8c54-5237e96d6aaf",
        ["operator"] = "ae2c9854-393b-4f97-8c42-479d70ce626e",
        ["org-admin"] = "c495eb57-eb18-489e-9802-62c474e5645c",
        ["org-operator"] = "b4935647-30e4-4ed3-9074-dcac66c2f8ef",
        ["org-viewer"] = "84cc62c1-dabe-49d3-b16e-8b291232b285",
    };

    /// <summary>Custom roles: one per granting permission, one holding all of them, and a small one to hand out.</summary>
    private static readonly Dictionary<string, string[]> CustomRoles = new()
    {
        ["token-granter"] = ["ApiTokensRead", "ApiTokensManage", "DevicesRead", "DeviceDataRead"],
        ["user-granter"] = ["UsersRead", "UsersManage", "DevicesRead", "DevicesUpdate"],
        ["role-granter"] = ["RolesRead", "RolesManage", "DevicesRead"],
        ["all-granter"] = ["ApiTokensManage", "UsersManage", "RolesManage", "OrganizationsManage", "DevicesRead", "DevicesCreate"],
        ["device-reader"] = ["DevicesRead"],
    };

    /// <summary>Callers: alias, role, and the organization the role is assigned within (null: application-wide).</summary>
    private static readonly (string Alias, string Role, string? Organization)[] Callers =
    [
        ("admin", "admin", null), ("builder", "builder", null), ("operator", "operator", null),
        ("org-admin", "org-admin", "north"), ("org-operator", "org-operator", "north"), ("org-viewer", "org-viewer", "north"),
        ("token-granter", "token-granter", null), ("user-granter", "user-granter", null), ("role-granter", "role-granter", null),
        ("all-granter", "all-granter", null), ("all-granter-north", "all-granter", "north"),
    ];

    /// <summary>The organization tree: north with north-east below it, and south beside it.</summary>
    private static readonly Dictionary<string, string?> Parents = new() { ["north"] = null, ["north-east"] = "north", ["south"] = null };

    private static readonly string?[] Reaches = [null, "north-east", "south"];

    private readonly List<string> _failures = [];

    [Fact]
    public async Task No_caller_grants_beyond_its_own_permissions_and_reach_and_grants_within_succeed()
    {
        var table = RoleTable();
        await using var server = await CentrumServer.StartAsync();
        var admin = server.AdminHttp();
        foreach (var (id, parent) in Parents)
        {
            await AssertOkAsync(admin.PutAsync(Url($"organizations/{id}"), CentrumServer.Json(parent is null ? $$"""{"displayName":"{{id}}"}""" : $$"""{"displayName":"{{id}}","parent":"{{parent}}"}""")));
        }

        foreach (var (id, permissions) in CustomRoles)
        {
            await AssertOkAsync(admin.PutAsync(Url($"roles/{id}"), CentrumServer.Json($$"""{"displayName":"{{id}}","permissions":[{{string.Join(",", permissions.Select(p => $"\"{Camel(p)}\""))}}]}""")));
        }

        // A member and a token that hold the Administrator role: nobody with less changes or removes them.
        var adminRole = PredefinedRoles["admin"];
        await AssertOkAsync(admin.PutAsync(Url("users/boss"), CentrumServer.Json(UserBody("boss@example.com", adminRole, null))));
        await AssertOkAsync(admin.PutAsync(Url("apiTokens/boss-token"), CentrumServer.Json(TokenBody(adminRole, null))));

        var attempt = 0;
        foreach (var (alias, role, organization) in Callers)
        {
            var holdings = Holdings(table, role, organization);
            var roleId = PredefinedRoles.GetValueOrDefault(role, role);
            var issued = await admin.PutAsync(Url($"apiTokens/caller-{alias}"), CentrumServer.Json(TokenBody(roleId, organization)));
            Assert.True(issued.StatusCode == HttpStatusCode.OK, await issued.Content.ReadAsStringAsync());
            using var caller = server.Http((string)JsonNode.Parse(await issued.Content.ReadAsStringAsync())!["token"]!);

            // Tokens and users: every role, application-wide and within an organization in reach and one outside it.
            foreach (var (target, targetPermissions) in AllRoles(table))
            {
                foreach (var reach in Reaches)
                {
                    var allowed = Covers(holdings, "ApiTokensManage", reach) && targetPermissions.All(p => Covers(holdings, p, reach));
                    var id = $"g{++attempt}";
                    await ExpectAsync($"{alias} issues a token with {target}@{reach ?? "application"}", allowed,
                        caller.PutAsync(Url($"apiTokens/{id}"), CentrumServer.Json(TokenBody(RoleIdOf(target), reach))),
                        () => admin.GetAsync(Url($"apiTokens/{id}")), () => admin.DeleteAsync(Url($"apiTokens/{id}")));

                    allowed = Covers(holdings, "UsersManage", reach) && targetPermissions.All(p => Covers(holdings, p, reach));
                    await ExpectAsync($"{alias} adds a member with {target}@{reach ?? "application"}", allowed,
                        caller.PutAsync(Url($"users/{id}"), CentrumServer.Json(UserBody($"{id}@example.com", RoleIdOf(target), reach))),
                        () => admin.GetAsync(Url($"users/{id}")), () => admin.DeleteAsync(Url($"users/{id}")));
                }
            }

            await SelfPromotionAndTakeOverAsync(admin, caller, alias, roleId, organization, holdings, table);
            await RolesAsync(admin, caller, alias, role, holdings);
            await OrganizationsAsync(admin, caller, alias, holdings);
        }

        Assert.True(_failures.Count == 0, $"{_failures.Count} grants differ from the rule:\n" + string.Join('\n', _failures.Take(40)));
    }

    /// <summary>A member promoting itself, and taking over or removing a member or token that holds more.</summary>
    private async Task SelfPromotionAndTakeOverAsync(
        HttpClient admin, HttpClient caller, string alias, string roleId, string? organization, Dictionary<string, IReadOnlySet<string>?> holdings, Dictionary<string, HashSet<string>> table)
    {
        var self = $"self-{alias}";
        await AssertOkAsync(admin.PutAsync(Url($"users/{self}"), CentrumServer.Json(UserBody($"{self}@example.com", roleId, organization))));
        var before = await ReadAsync(admin, $"users/{self}");
        var adminPermissions = table.Keys.ToList();
        var holdsAll = adminPermissions.All(p => Covers(holdings, p, null));
        var canManage = Covers(holdings, "UsersManage", null);
        await ExpectChangeAsync($"{alias} promotes its own member to Administrator", canManage && holdsAll,
            caller.PatchAsync(Url($"users/{self}"), CentrumServer.Json($$"""{"roles":[{"role":"{{PredefinedRoles["admin"]}}"}]}""")),
            admin, $"users/{self}", before);

        var boss = await ReadAsync(admin, "users/boss");
        await ExpectChangeAsync($"{alias} takes over the Administrator member's email", canManage && holdsAll,
            caller.PatchAsync(Url("users/boss"), CentrumServer.Json($$"""{"email":"{{alias}}@example.com"}""")), admin, "users/boss", boss);
        await admin.PutAsync(Url("users/boss"), CentrumServer.Json(UserBody("boss@example.com", PredefinedRoles["admin"], null)));

        var bossToken = await ReadAsync(admin, "apiTokens/boss-token");
        await ExpectChangeAsync($"{alias} revokes the Administrator's token", Covers(holdings, "ApiTokensManage", null) && holdsAll,
            caller.DeleteAsync(Url("apiTokens/boss-token")), admin, "apiTokens/boss-token", bossToken);
        if ((await admin.GetAsync(Url("apiTokens/boss-token"))).StatusCode == HttpStatusCode.NotFound)
        {
            await AssertOkAsync(admin.PutAsync(Url("apiTokens/boss-token"), CentrumServer.Json(TokenBody(PredefinedRoles["admin"], null))));
        }
    }

    /// <summary>Defining a role grants its permissions wherever it is assigned: each must be held application-wide.</summary>
    private async Task RolesAsync(HttpClient admin, HttpClient caller, string alias, string role, Dictionary<string, IReadOnlySet<string>?> holdings)
    {
        var canManage = Covers(holdings, "RolesManage", null);
        foreach (var permission in Enum.GetNames<Centrum.Identity.Authorization.Permission>())
        {
            var id = $"role-{alias}-{permission}".ToLowerInvariant();
            await ExpectAsync($"{alias} defines a role with {permission}", canManage && Covers(holdings, permission, null),
                caller.PutAsync(Url($"roles/{id}"), CentrumServer.Json($$"""{"displayName":"{{id}}","permissions":["{{Camel(permission)}}"]}""")),
                () => admin.GetAsync(Url($"roles/{id}")), () => admin.DeleteAsync(Url($"roles/{id}")));
        }

        // Deleting a role takes back what it grants: the same holdings as defining it.
        var everything = Enum.GetNames<Centrum.Identity.Authorization.Permission>();
        await AssertOkAsync(admin.PutAsync(Url("roles/everything"), CentrumServer.Json($$"""{"displayName":"everything","permissions":[{{string.Join(",", everything.Select(p => $"\"{Camel(p)}\""))}}]}""")));
        var allowedDelete = canManage && everything.All(p => Covers(holdings, p, null));
        await ExpectChangeAsync($"{alias} deletes a role granting everything", allowedDelete,
            caller.DeleteAsync(Url("roles/everything")), admin, "roles/everything", await ReadAsync(admin, "roles/everything"));

        // A caller holding a custom role may not extend it with what it does not hold.
        if (CustomRoles.TryGetValue(role, out var own))
        {
            var before = await ReadAsync(admin, $"roles/{role}");
            foreach (var extra in Enum.GetNames<Centrum.Identity.Authorization.Permission>().Except(own))
            {
                var allowed = canManage && own.Append(extra).All(p => Covers(holdings, p, null));
                await ExpectChangeAsync($"{alias} extends its own role with {extra}", allowed,
                    caller.PutAsync(Url($"roles/{role}"), CentrumServer.Json($$"""{"displayName":"{{role}}","permissions":[{{string.Join(",", own.Append(extra).Select(p => $"\"{Camel(p)}\""))}}]}""")),
                    admin, $"roles/{role}", before);
                if (allowed)
                {
                    await AssertOkAsync(admin.PutAsync(Url($"roles/{role}"), CentrumServer.Json($$"""{"displayName":"{{role}}","permissions":[{{string.Join(",", own.Select(p => $"\"{Camel(p)}\""))}}]}""")));
                    before = await ReadAsync(admin, $"roles/{role}");
                }
            }
        }
    }

    /// <summary>Placing an organization extends the reach of every role above it: parent and current parent must be in reach.</summary>
    private async Task OrganizationsAsync(HttpClient admin, HttpClient caller, string alias, Dictionary<string, IReadOnlySet<string>?> holdings)
    {
        foreach (var parent in new string?[] { null, "north", "north-east", "south" })
        {
            var id = $"o-{alias}-{parent ?? "root"}";
            await ExpectAsync($"{alias} creates an organization below {parent ?? "the application"}", Covers(holdings, "OrganizationsManage", parent),
                caller.PutAsync(Url($"organizations/{id}"), CentrumServer.Json(parent is null ? """{"displayName":"x"}""" : $$"""{"displayName":"x","parent":"{{parent}}"}""")),
                () => admin.GetAsync(Url($"organizations/{id}")), () => admin.DeleteAsync(Url($"organizations/{id}")));
        }

        // Deleting: an organization below one in reach goes; one outside reach is not there for the caller (404).
        foreach (var parent in new[] { "north-east", "south" })
        {
            var id = $"d-{alias}-{parent}";
            await AssertOkAsync(admin.PutAsync(Url($"organizations/{id}"), CentrumServer.Json($$"""{"displayName":"x","parent":"{{parent}}"}""")));
            var existing = await ReadAsync(admin, $"organizations/{id}");
            using var response = await caller.DeleteAsync(Url($"organizations/{id}"));
            var text = await response.Content.ReadAsStringAsync();
            var after = await ReadAsync(admin, $"organizations/{id}");
            var expected = !holdings.ContainsKey("OrganizationsManage") ? HttpStatusCode.Forbidden
                : !Covers(holdings, "OrganizationsManage", id) && !Covers(holdings, "OrganizationsManage", parent) ? HttpStatusCode.NotFound
                : HttpStatusCode.NoContent;
            var changed = after != existing;
            if (response.StatusCode != expected || changed != (expected == HttpStatusCode.NoContent))
            {
                _failures.Add($"{alias} deletes an organization below {parent}: expected {(int)expected}, got {(int)response.StatusCode} {Short(text)}; changed: {changed}");
            }

            if (!changed)
            {
                await admin.DeleteAsync(Url($"organizations/{id}"));
            }
        }

        var before = await ReadAsync(admin, "organizations/north-east");
        var allowed = Covers(holdings, "OrganizationsManage", "south") && Covers(holdings, "OrganizationsManage", "north");
        await ExpectChangeAsync($"{alias} moves north-east below south", allowed,
            caller.PatchAsync(Url("organizations/north-east"), CentrumServer.Json("""{"parent":"south"}""")), admin, "organizations/north-east", before);
        if (allowed)
        {
            await AssertOkAsync(admin.PatchAsync(Url("organizations/north-east"), CentrumServer.Json("""{"parent":"north"}""")));
        }
    }

    /// <summary>A creation: allowed ones answer 200 and exist (then are removed); refused ones answer 403 and do not exist.</summary>
    private async Task ExpectAsync(string what, bool allowed, Task<HttpResponseMessage> send, Func<Task<HttpResponseMessage>> read, Func<Task<HttpResponseMessage>> remove)
    {
        using var response = await send;
        var text = await response.Content.ReadAsStringAsync();
        using var after = await read();
        if (allowed)
        {
            if (response.StatusCode != HttpStatusCode.OK || after.StatusCode != HttpStatusCode.OK)
            {
                _failures.Add($"{what}: expected success, got {(int)response.StatusCode} {Short(text)} (then read {(int)after.StatusCode})");
            }

            using var removed = await remove();
            if (removed.StatusCode != HttpStatusCode.NoContent)
            {
                _failures.Add($"{what}: the administrator could not remove it ({(int)removed.StatusCode})");
            }

            return;
        }

        if (!IsRefusal(response, text) || after.StatusCode != HttpStatusCode.NotFound)
        {
            _failures.Add($"{what}: expected 403 and nothing created, got {(int)response.StatusCode} {Short(text)} (then read {(int)after.StatusCode})");
        }
    }

    /// <summary>A change to something that exists: refused ones leave it exactly as it was.</summary>
    private async Task ExpectChangeAsync(string what, bool allowed, Task<HttpResponseMessage> send, HttpClient admin, string path, string before)
    {
        using var response = await send;
        var text = await response.Content.ReadAsStringAsync();
        if (allowed)
        {
            if (!response.IsSuccessStatusCode)
            {
                _failures.Add($"{what}: expected success, got {(int)response.StatusCode} {Short(text)}");
            }

            return;
        }

        var after = await ReadAsync(admin, path);
        if (!IsRefusal(response, text) || after != before)
        {
            _failures.Add($"{what}: expected 403 and no change, got {(int)response.StatusCode} {Short(text)}; before {before}, after {after}");
        }
    }

    /// <summary>A refusal in IoT Central's error shape: 403, the code in the header and the body, and a message.</summary>
    private static bool IsRefusal(HttpResponseMessage response, string text) =>
        response.StatusCode == HttpStatusCode.Forbidden
        && response.Headers.TryGetValues("x-ms-error-code", out var codes) && codes.Single() == "Forbidden"
        && JsonNode.Parse(text)?["error"] is JsonObject error && (string?)error["code"] == "Forbidden" && ((string?)error["message"])?.Length > 0;

    private static async Task<string> ReadAsync(HttpClient admin, string path)
    {
        using var response = await admin.GetAsync(Url(path));
        var text = await response.Content.ReadAsStringAsync();
        return $"{(int)response.StatusCode} {text}";
    }

    /// <summary>Whether holdings reach <paramref name="organization"/> (application-wide when null) with <paramref name="permission"/>.</summary>
    private static bool Covers(Dictionary<string, IReadOnlySet<string>?> holdings, string permission, string? organization) =>
        holdings.TryGetValue(permission, out var reach) && (reach is null || (organization is not null && reach.Contains(organization)));

    /// <summary>What a caller holds by the table: each permission with its reach (null: the whole application).</summary>
    private static Dictionary<string, IReadOnlySet<string>?> Holdings(Dictionary<string, HashSet<string>> table, string role, string? organization)
    {
        var reach = organization is null ? null : Subtree(organization);
        return table.Where(t => t.Value.Contains(role)).ToDictionary(t => t.Key, IReadOnlySet<string>? (_) => reach);
    }

    private static HashSet<string> Subtree(string root)
    {
        var reached = new HashSet<string> { root };
        for (var grew = true; grew;)
        {
            grew = Parents.Where(p => p.Value is not null && reached.Contains(p.Value)).Aggregate(false, (g, p) => reached.Add(p.Key) | g);
        }

        return reached;
    }

    private static IEnumerable<(string Alias, IReadOnlyList<string> Permissions)> AllRoles(Dictionary<string, HashSet<string>> table) =>
        PredefinedRoles.Keys.Concat(CustomRoles.Keys).Select(alias => (alias, (IReadOnlyList<string>)table.Where(t => t.Value.Contains(alias)).Select(t => t.Key).ToList()));

    private static string RoleIdOf(string alias) => PredefinedRoles.GetValueOrDefault(alias, alias);

    /// <summary>role-permissions.txt, with the custom roles' permissions added under their own names.</summary>
    private static Dictionary<string, HashSet<string>> RoleTable()
    {
        var table = File.ReadAllLines(Path.Combine(Repository.Root, "tests", "Centrum.IntegrationTests", "Api", "role-permissions.txt"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split(':', 2))
            .ToDictionary(p => p[0].Trim(), p => p[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet());
        Assert.Equal(Enum.GetNames<Centrum.Identity.Authorization.Permission>().Order(), table.Keys.Order());
        foreach (var (alias, permissions) in CustomRoles)
        {
            foreach (var permission in permissions)
            {
                table[permission].Add(alias);
            }
        }

        return table;
    }

    private static string TokenBody(string roleId, string? organization) =>
        organization is null ? $$"""{"roles":[{"role":"{{roleId}}"}]}""" : $$"""{"roles":[{"role":"{{roleId}}","organization":"{{organization}}"}]}""";

    private static string UserBody(string email, string roleId, string? organization) =>
        organization is null
            ? $$"""{"type":"email","email":"{{email}}","roles":[{"role":"{{roleId}}"}]}"""
            : $$"""{"type":"email","email":"{{email}}","roles":[{"role":"{{roleId}}","organization":"{{organization}}"}]}""";

    private static async Task AssertOkAsync(Task<HttpResponseMessage> send)
    {
        using var response = await send;
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static string Camel(string permission) => char.ToLowerInvariant(permission[0]) + permission[1..];

    private static string Short(string text) => text[..Math.Min(text.Length, 200)];

    private static string Url(string path) => $"api/{path}?{Version}";
}
