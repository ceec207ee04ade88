using Centrum.Identity.ApiTokens;
using Centrum.Identity.Authorization;
using Centrum.Identity.Organizations;
using Centrum.Identity.Users;
using Centrum.Outcomes;

namespace Centrum.Identity.Tests;

/// <summary>
/// Nobody grants a role or a reach they do not hold: API tokens, members and custom roles are checked by the identity
/// services themselves, and a refused grant leaves nothing behind. Each test checks the grant, not only its use.
/// </summary>
public sealed class GrantRulesTests : IAsyncLifetime
{
    private const string App = IdentityStore.App;
    private IdentityStore _store = null!;
    private IReadOnlySet<string> _east = null!;

    private ApiTokenService Tokens => _store.Get<ApiTokenService>();

    private UserService Users => _store.Get<UserService>();

    private RoleCatalog Roles => _store.Get<RoleCatalog>();

    public async Task InitializeAsync()
    {
        _store = await IdentityStore.StartAsync();
        var organizations = _store.Get<OrganizationService>();
        foreach (var (id, parent) in new[] { ("root", default(string)), ("east", "root"), ("east-1", "east"), ("west", "root") })
        {
            Assert.True((await organizations.SaveAsync(App, id, id, parent, CallerHoldings.Operator, CancellationToken.None)).Succeeded);
        }

        _east = await organizations.SubtreeAsync(App, ["east"], CancellationToken.None);
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task An_organization_administrator_issues_tokens_only_within_its_reach_and_roles()
    {
        var eastAdminWithTokens = IdentityStore.HoldingRole(BuiltInRoles.OrgAdministrator, _east, Permission.ApiTokensManage);

        var inside = await Tokens.CreateAsync(App, "east-ops", [new RoleAssignment(BuiltInRoles.OrgOperator, "east-1")], null, eastAdminWithTokens, CancellationToken.None);
        Assert.True(inside.Succeeded, inside.Problem?.Message);
        Assert.NotNull(inside.Value.Token);

        var outside = await Tokens.CreateAsync(App, "west-ops", [new RoleAssignment(BuiltInRoles.OrgOperator, "west")], null, eastAdminWithTokens, CancellationToken.None);
        Assert.Equal(ProblemKind.Forbidden, outside.Problem?.Kind);

        var wider = await Tokens.CreateAsync(App, "app-admin", [new RoleAssignment(BuiltInRoles.AppAdministrator)], null, eastAdminWithTokens, CancellationToken.None);
        Assert.Equal(ProblemKind.Forbidden, wider.Problem?.Kind);

        Assert.Equal(["east-ops"], (await Tokens.ListAsync(App, CancellationToken.None)).Select(t => t.Id));
    }

    [Fact]
    public async Task A_token_made_of_more_than_the_caller_holds_is_not_revoked_by_it()
    {
        Assert.True((await Tokens.CreateAsync(App, "admin", [new RoleAssignment(BuiltInRoles.AppAdministrator)], null, CallerHoldings.Operator, CancellationToken.None)).Succeeded);
        var operatorWithTokens = IdentityStore.HoldingRole(BuiltInRoles.AppOperator, null, Permission.ApiTokensManage);

        Assert.Equal(ProblemKind.Forbidden, (await Tokens.DeleteAsync(App, "admin", operatorWithTokens, CancellationToken.None)).Problem?.Kind);
        Assert.NotNull(await Tokens.GetAsync(App, "admin", CancellationToken.None));
        Assert.Equal("admin", (await Tokens.DeleteAsync(App, "admin", CallerHoldings.Operator, CancellationToken.None)).Value?.Id);
        Assert.Equal(ProblemKind.NotFound, (await Tokens.DeleteAsync(App, "admin", CallerHoldings.Operator, CancellationToken.None)).Problem?.Kind);
    }

    [Fact]
    public async Task Token_requests_that_break_a_rule_are_refused_before_anything_is_stored()
    {
        var expired = DateTimeOffset.UtcNow.AddMinutes(-1);
        Assert.Equal(ProblemKind.Invalid, (await Tokens.CreateAsync(App, "bad id!", [new RoleAssignment(BuiltInRoles.AppOperator)], null, CallerHoldings.Operator, CancellationToken.None)).Problem?.Kind);
        Assert.Equal(ProblemKind.Invalid, (await Tokens.CreateAsync(App, "none", [], null, CallerHoldings.Operator, CancellationToken.None)).Problem?.Kind);
        Assert.Equal(ProblemKind.Invalid, (await Tokens.CreateAsync(App, "ghost-role", [new RoleAssignment("no-such-role")], null, CallerHoldings.Operator, CancellationToken.None)).Problem?.Kind);
        Assert.Equal(ProblemKind.Invalid, (await Tokens.CreateAsync(App, "ghost-org", [new RoleAssignment(BuiltInRoles.OrgOperator, "nowhere")], null, CallerHoldings.Operator, CancellationToken.None)).Problem?.Kind);
        Assert.Equal(ProblemKind.Invalid, (await Tokens.CreateAsync(App, "expired", [new RoleAssignment(BuiltInRoles.AppOperator)], expired, CallerHoldings.Operator, CancellationToken.None)).Problem?.Kind);
        Assert.Empty(await Tokens.ListAsync(App, CancellationToken.None));

        Assert.True((await Tokens.CreateAsync(App, "twice", [new RoleAssignment(BuiltInRoles.AppOperator)], null, CallerHoldings.Operator, CancellationToken.None)).Succeeded);
        Assert.Equal(ProblemKind.Conflict, (await Tokens.CreateAsync(App, "twice", [new RoleAssignment(BuiltInRoles.AppOperator)], null, CallerHoldings.Operator, CancellationToken.None)).Problem?.Kind);
    }

    [Fact]
    public async Task A_member_is_neither_promoted_beyond_nor_taken_over_by_a_caller_holding_less()
    {
        var eastAdmin = IdentityStore.HoldingRole(BuiltInRoles.OrgAdministrator, _east, Permission.UsersManage);
        var member = Email("ann@example.com", new RoleAssignment(BuiltInRoles.OrgOperator, "east"));
        Assert.True((await Users.SaveAsync(App, "ann", member, null, eastAdmin, CancellationToken.None)).Succeeded);

        var promoted = await Users.SaveAsync(App, "ann", Email("ann@example.com", new RoleAssignment(BuiltInRoles.AppAdministrator)), null, eastAdmin, CancellationToken.None);
        Assert.Equal(ProblemKind.Forbidden, promoted.Problem?.Kind);
        var moved = await Users.SaveAsync(App, "ann", Email("ann@example.com", new RoleAssignment(BuiltInRoles.OrgOperator, "west")), null, eastAdmin, CancellationToken.None);
        Assert.Equal(ProblemKind.Forbidden, moved.Problem?.Kind);
        Assert.Equal("east", (await Users.GetAsync(App, "ann", CancellationToken.None))!.Roles.Single().Organization);

        Assert.True((await Users.SaveAsync(App, "boss", Email("boss@example.com", new RoleAssignment(BuiltInRoles.AppAdministrator)), null, CallerHoldings.Operator, CancellationToken.None)).Succeeded);
        var demoted = await Users.SaveAsync(App, "boss", Email("boss@example.com", new RoleAssignment(BuiltInRoles.OrgViewer, "east")), null, eastAdmin, CancellationToken.None);
        Assert.Equal(ProblemKind.Forbidden, demoted.Problem?.Kind);
        Assert.Equal(ProblemKind.Forbidden, (await Users.DeleteAsync(App, "boss", eastAdmin, CancellationToken.None)).Problem?.Kind);
        Assert.Equal(BuiltInRoles.AppAdministrator, (await Users.GetAsync(App, "boss", CancellationToken.None))!.Roles.Single().Role);

        Assert.Equal("ann", (await Users.DeleteAsync(App, "ann", eastAdmin, CancellationToken.None)).Value?.Id);
    }

    [Fact]
    public async Task Member_writes_that_break_a_rule_are_refused()
    {
        var admin = Email("ann@example.com", new RoleAssignment(BuiltInRoles.AppAdministrator));
        Assert.Equal(ProblemKind.Invalid, (await Users.SaveAsync(App, "bad id!", admin, null, CallerHoldings.Operator, CancellationToken.None)).Problem?.Kind);
        Assert.Equal(ProblemKind.Invalid, (await Users.SaveAsync(App, "ann", admin with { Email = "not-an-address" }, null, CallerHoldings.Operator, CancellationToken.None)).Problem?.Kind);
        Assert.Equal(ProblemKind.Invalid, (await Users.SaveAsync(App, "ann", admin with { Roles = [] }, null, CallerHoldings.Operator, CancellationToken.None)).Problem?.Kind);
        Assert.Equal(ProblemKind.Invalid, (await Users.SaveAsync(App, "ann", admin with { Roles = [new RoleAssignment("no-such-role")] }, null, CallerHoldings.Operator, CancellationToken.None)).Problem?.Kind);
        Assert.Equal(ProblemKind.Invalid, (await Users.SaveAsync(App, "sp", new ApplicationUser("", "servicePrincipal", null, null, null, admin.Roles, ""), null, CallerHoldings.Operator, CancellationToken.None)).Problem?.Kind);

        var saved = await Users.SaveAsync(App, "ann", admin, null, CallerHoldings.Operator, CancellationToken.None);
        Assert.True(saved.Succeeded);
        Assert.Equal(ProblemKind.Conflict, (await Users.SaveAsync(App, "ann-again", admin with { Email = "ANN@example.com" }, null, CallerHoldings.Operator, CancellationToken.None)).Problem?.Kind);
        Assert.Equal(ProblemKind.PreconditionFailed, (await Users.SaveAsync(App, "ann", admin, "stale", CallerHoldings.Operator, CancellationToken.None)).Problem?.Kind);
        Assert.True((await Users.SaveAsync(App, "ann", admin, saved.Value.ETag, CallerHoldings.Operator, CancellationToken.None)).Succeeded);
    }

    [Fact]
    public async Task A_custom_role_grants_only_what_its_author_holds_and_is_not_deleted_while_held()
    {
        var builder = IdentityStore.HoldingRole(BuiltInRoles.AppBuilder, null, Permission.RolesManage);
        Assert.False(builder.Holds(Permission.UsersManage));

        var beyond = await Roles.SaveAsync(App, "user-admins", "User admins", RoleCatalog.ApplicationScope, [Permission.UsersManage], builder, CancellationToken.None);
        Assert.Equal(ProblemKind.Forbidden, beyond.Problem?.Kind);
        Assert.Null(await Roles.GetAsync(App, "user-admins", CancellationToken.None));

        var readers = await Roles.SaveAsync(App, "readers", "Readers", RoleCatalog.OrganizationScope, [Permission.DevicesRead], builder, CancellationToken.None);
        Assert.True(readers.Succeeded, readers.Problem?.Message);
        Assert.Equal(ProblemKind.Invalid, (await Roles.SaveAsync(App, BuiltInRoles.AppOperator, "Mine", RoleCatalog.ApplicationScope, [], CallerHoldings.Operator, CancellationToken.None)).Problem?.Kind);
        Assert.Equal(ProblemKind.Invalid, (await Roles.SaveAsync(App, "bad id!", "Bad", RoleCatalog.ApplicationScope, [], CallerHoldings.Operator, CancellationToken.None)).Problem?.Kind);
        Assert.Equal(ProblemKind.Invalid, (await Roles.SaveAsync(App, "unnamed", "", RoleCatalog.ApplicationScope, [], CallerHoldings.Operator, CancellationToken.None)).Problem?.Kind);
        Assert.Equal(ProblemKind.Invalid, (await Roles.SaveAsync(App, "long-name", new string('n', RoleCatalog.MaxDisplayNameLength + 1), RoleCatalog.ApplicationScope, [], CallerHoldings.Operator, CancellationToken.None)).Problem?.Kind);
        Assert.True((await Roles.SaveAsync(App, "long-name", new string('n', RoleCatalog.MaxDisplayNameLength), RoleCatalog.ApplicationScope, [], CallerHoldings.Operator, CancellationToken.None)).Succeeded);
        Assert.Equal(ProblemKind.Invalid, (await Roles.SaveAsync(App, "scoped", "Scoped", "galaxy", [], CallerHoldings.Operator, CancellationToken.None)).Problem?.Kind);

        Assert.True((await Tokens.CreateAsync(App, "reader", [new RoleAssignment("readers", "east")], null, CallerHoldings.Operator, CancellationToken.None)).Succeeded);
        Assert.Equal(ProblemKind.Conflict, (await Roles.DeleteAsync(App, "readers", CallerHoldings.Operator, CancellationToken.None)).Problem?.Kind);
        Assert.True((await Tokens.DeleteAsync(App, "reader", CallerHoldings.Operator, CancellationToken.None)).Succeeded);
        Assert.Equal("readers", (await Roles.DeleteAsync(App, "readers", builder, CancellationToken.None)).Value?.Id);
        Assert.Equal(ProblemKind.NotFound, (await Roles.DeleteAsync(App, "readers", builder, CancellationToken.None)).Problem?.Kind);
    }

    private static ApplicationUser Email(string email, params RoleAssignment[] roles) => new("", "email", email, null, null, roles, "");
}
