using Centrum.Events;
using Centrum.Organizations;
using Centrum.Outcomes;
using Centrum.Security;
using Microsoft.EntityFrameworkCore;
using static Centrum.Devices.Tests.DeviceStore;

namespace Centrum.Devices.Tests;

/// <summary>
/// The registry's rules hold for whoever calls it (REST, a job, a page): each refusal is a <see cref="Problem"/>, and a
/// refused write stores nothing, logs no device event, forgets no template assignment and closes no connection.
/// </summary>
public sealed class DeviceRulesTests : IAsyncLifetime
{
    private static readonly OrganizationReach Everywhere = OrganizationReach.WholeApplication;
    private DeviceStore _store = null!;

    private DeviceRegistry Registry => _store.Registry;

    public async Task InitializeAsync()
    {
        _store = await StartAsync();
        _store.Templates.Add(App, "fan", "dtmi:com:example:Fan;1");
        _store.Templates.Add(App, "fan-v2", "dtmi:com:example:Fan;2");
        _store.Organizations.Add(App, "plant", "plant-north");
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    public static TheoryData<string, DeviceWrite, string> RefusedCreates => new()
    {
        { "bad id", new DeviceWrite(null, null, true, false, []), "Device id 'bad id' is not valid" },
        { "", new DeviceWrite(null, null, true, false, []), "Device id '' is not valid" },
        { new string('d', 129), new DeviceWrite(null, null, true, false, []), "is not valid: use 1 to 128" },
        { "fan-1", new DeviceWrite(null, "no-such-template", true, false, []), "Device template 'no-such-template' does not exist." },
        { "fan-1", new DeviceWrite(null, "fan", true, false, ["plant", "nowhere"]), "organizations: the organization 'nowhere' does not exist." },
    };

    [Theory]
    [MemberData(nameof(RefusedCreates))]
    public async Task A_create_that_breaks_a_rule_is_invalid_and_leaves_nothing(string deviceId, DeviceWrite write, string message)
    {
        var outcome = await Registry.CreateOrReplaceAsync(App, deviceId, write, null, Everywhere, CancellationToken.None);

        Assert.Equal(ProblemKind.Invalid, outcome.Problem?.Kind);
        Assert.Contains(message, outcome.Problem!.Message, StringComparison.Ordinal);
        await AssertUntouchedAsync(deviceId);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("c2hvcnQ=")]
    public async Task An_individual_enrollment_with_a_symmetric_key_that_is_not_base64_of_16_bytes_is_invalid_and_keeps_the_old_one(string key)
    {
        Assert.True((await Registry.CreateOrReplaceAsync(App, "keyed-1", new DeviceWrite(null, null, true, false, []), null, OrganizationReach.WholeApplication, default)).Succeeded);
        var good = Convert.ToBase64String(new byte[32]);
        Assert.True((await Registry.SetAttestationAsync(App, "keyed-1", new DeviceAttestation("symmetricKey", new DeviceKeys(good, good), null, null), OrganizationReach.WholeApplication, default)).Succeeded);
        var before = await Registry.GetAttestationAsync(App, "keyed-1", default);
        Assert.NotNull(before);

        var set = await Registry.SetAttestationAsync(App, "keyed-1", new DeviceAttestation("symmetricKey", new DeviceKeys(good, key), null, null), OrganizationReach.WholeApplication, default);

        Assert.Equal((ProblemKind.Invalid, "Symmetric keys must be base64 of at least 16 bytes."), (set.Problem?.Kind, set.Problem?.Message));
        Assert.Equal(before, await Registry.GetAttestationAsync(App, "keyed-1", default));
    }

    [Fact]
    public async Task An_organization_of_another_application_is_unknown()
    {
        _store.Organizations.Add(OtherApp, "elsewhere");

        var outcome = await Registry.CreateOrReplaceAsync(App, "fan-1", new DeviceWrite(null, null, true, false, ["elsewhere"]), null, Everywhere, CancellationToken.None);

        Assert.Equal((ProblemKind.Invalid, "organizations: the organization 'elsewhere' does not exist."), (outcome.Problem?.Kind, outcome.Problem?.Message));
        await AssertUntouchedAsync("fan-1");
    }

    [Fact]
    public async Task A_created_device_is_logged_approved_and_its_remembered_template_forgotten()
    {
        var outcome = await Registry.CreateOrReplaceAsync(App, "fan-1", new DeviceWrite("Fan 1", "fan", true, false, ["plant"]), null, Everywhere, CancellationToken.None);

        Assert.True(outcome.Succeeded);
        Assert.Equal(("Fan 1", "fan", true), (outcome.Value.DisplayName, outcome.Value.Template, outcome.Value.Approved));
        Assert.Equal(["plant"], outcome.Value.Organizations);
        AssertSameDevice(outcome.Value, await Registry.GetAsync(App, "fan-1", CancellationToken.None));
        Assert.Equal([nameof(DeviceEventKind.Created)], await _store.EventsAsync("fan-1"));
        Assert.Equal([(App, "fan-1")], _store.Templates.Forgotten);
        Assert.Empty(_store.Connections.Closed);
    }

    [Fact]
    public async Task A_move_to_another_organization_is_logged_as_an_update_without_a_lifecycle_change()
    {
        await CreateAsync("fan-1", "fan");

        var moved = await Registry.UpdateAsync(App, "fan-1", d => d with { Organizations = ["plant-north"] }, null, Everywhere, CancellationToken.None);
        var unchanged = await Registry.UpdateAsync(App, "fan-1", d => d, null, Everywhere, CancellationToken.None);

        // Readers of the log that keep a device's facts (exports) hear of the move; a write that changes nothing is not logged.
        Assert.True(moved.Succeeded && unchanged.Succeeded);
        Assert.Equal(["plant-north"], (await Registry.GetAsync(App, "fan-1", CancellationToken.None))!.Organizations);
        Assert.Equal([nameof(DeviceEventKind.Created), nameof(DeviceEventKind.Updated)], await _store.EventsAsync("fan-1"));
    }

    [Fact]
    public async Task An_update_with_an_unknown_template_or_organization_is_invalid_and_changes_nothing()
    {
        var created = await CreateAsync("fan-1", "fan");
        _store.Templates.ClearForgotten();

        var template = await Registry.UpdateAsync(App, "fan-1", d => d with { Template = "gone" }, null, Everywhere, CancellationToken.None);
        var organization = await Registry.UpdateAsync(App, "fan-1", d => d with { Organizations = ["nowhere"] }, null, Everywhere, CancellationToken.None);

        Assert.Equal((ProblemKind.Invalid, "Device template 'gone' does not exist."), (template.Problem?.Kind, template.Problem?.Message));
        Assert.Equal((ProblemKind.Invalid, "organizations: the organization 'nowhere' does not exist."), (organization.Problem?.Kind, organization.Problem?.Message));
        AssertSameDevice(created, await Registry.GetAsync(App, "fan-1", CancellationToken.None));
        Assert.Equal([nameof(DeviceEventKind.Created)], await _store.EventsAsync("fan-1"));
        Assert.Empty(_store.Templates.Forgotten);
    }

    [Fact]
    public async Task A_malformed_patch_is_refused_with_the_problem_its_reader_gave()
    {
        var created = await CreateAsync("fan-1", "fan");
        var unreadable = Problem.Invalid("Unknown field 'colour' in the device body.");

        var outcome = await Registry.UpdateAsync(App, "fan-1", _ => unreadable, null, Everywhere, CancellationToken.None);

        Assert.Same(unreadable, outcome.Problem);
        AssertSameDevice(created, await Registry.GetAsync(App, "fan-1", CancellationToken.None));
    }

    [Fact]
    public async Task An_update_of_a_missing_device_is_not_found_and_never_reads_the_patch()
    {
        var read = false;

        var outcome = await Registry.UpdateAsync(App, "ghost-1", d => { read = true; return d; }, null, Everywhere, CancellationToken.None);

        Assert.Equal((ProblemKind.NotFound, "Device 'ghost-1' was not found."), (outcome.Problem?.Kind, outcome.Problem?.Message));
        Assert.False(read);
    }

    [Fact]
    public async Task A_stale_or_invented_etag_is_a_failed_precondition()
    {
        var created = await CreateAsync("fan-1", "fan");
        var renamed = await Registry.UpdateAsync(App, "fan-1", d => d with { DisplayName = "Renamed" }, created.ETag, Everywhere, CancellationToken.None);
        Assert.True(renamed.Succeeded);

        var staleUpdate = await Registry.UpdateAsync(App, "fan-1", d => d with { DisplayName = "Again" }, created.ETag, Everywhere, CancellationToken.None);
        var staleReplace = await Registry.CreateOrReplaceAsync(App, "fan-1", new DeviceWrite("Again", "fan", true, false, []), created.ETag, Everywhere, CancellationToken.None);
        var createIfMatch = await Registry.CreateOrReplaceAsync(App, "fan-2", new DeviceWrite(null, null, true, false, []), "invented", Everywhere, CancellationToken.None);

        Assert.All([staleUpdate, staleReplace, createIfMatch], o => Assert.Equal(ProblemKind.PreconditionFailed, o.Problem?.Kind));
        Assert.Equal("The device's etag does not match; read it again.", staleUpdate.Problem!.Message);
        AssertSameDevice(renamed.Value, await Registry.GetAsync(App, "fan-1", CancellationToken.None));
        Assert.Null(await Registry.GetAsync(App, "fan-2", CancellationToken.None));
    }

    [Fact]
    public async Task The_current_etag_or_a_wildcard_lets_the_write_through_and_changes_the_etag()
    {
        var created = await CreateAsync("fan-1", "fan");

        var current = await Registry.UpdateAsync(App, "fan-1", d => d with { DisplayName = "One" }, created.ETag, Everywhere, CancellationToken.None);
        var wildcard = await Registry.CreateOrReplaceAsync(App, "fan-1", new DeviceWrite("Two", "fan", true, false, []), "*", Everywhere, CancellationToken.None);
        var wildcardCreate = await Registry.CreateOrReplaceAsync(App, "fan-2", new DeviceWrite(null, null, true, false, []), "*", Everywhere, CancellationToken.None);

        Assert.True(current.Succeeded && wildcard.Succeeded && wildcardCreate.Succeeded);
        Assert.NotEqual(created.ETag, current.Value!.ETag);
        Assert.NotEqual(current.Value.ETag, wildcard.Value!.ETag);
        Assert.Equal("Two", (await Registry.GetAsync(App, "fan-1", CancellationToken.None))!.DisplayName);
    }

    [Fact]
    public async Task An_update_that_loses_to_a_concurrent_write_is_a_conflict_and_the_winner_stays()
    {
        await CreateAsync("fan-1", "fan");

        // The patch runs after the registry read the device and before it saves: a write that lands then is the race.
        var outcome = await Registry.UpdateAsync(App, "fan-1", d =>
        {
            var winner = Task.Run(() => Registry.UpdateAsync(App, "fan-1", w => w with { DisplayName = "Winner" }, null, Everywhere, CancellationToken.None)).GetAwaiter().GetResult();
            Assert.True(winner.Succeeded);
            return d with { DisplayName = "Loser" };
        }, null, Everywhere, CancellationToken.None);

        Assert.Equal((ProblemKind.Conflict, "The device was changed by another request; read it again and retry."), (outcome.Problem?.Kind, outcome.Problem?.Message));
        Assert.Equal("Winner", (await Registry.GetAsync(App, "fan-1", CancellationToken.None))!.DisplayName);
    }

    [Fact]
    public async Task Two_puts_of_one_new_id_at_once_create_one_device_which_the_later_put_replaces()
    {
        // The registry asks for the template between reading (no device yet) and creating: the other PUT lands then.
        _store.Templates.WhileAsked = async () =>
            Assert.True((await Registry.CreateOrReplaceAsync(App, "fan-1", new DeviceWrite("First", null, true, false, []), null, Everywhere, CancellationToken.None)).Succeeded);

        var second = await Registry.CreateOrReplaceAsync(App, "fan-1", new DeviceWrite("Second", "fan", true, false, []), null, Everywhere, CancellationToken.None);

        // A PUT creates or replaces (IoT Central's Devices_Create): finding the id taken at its commit, it replaces.
        Assert.True(second.Succeeded, second.Problem?.Message);
        Assert.Equal(("Second", "fan"), (second.Value.DisplayName, second.Value.Template));
        var stored = await Registry.GetAsync(App, "fan-1", CancellationToken.None);
        Assert.Equal(("Second", "fan"), (stored!.DisplayName, stored.Template));
        Assert.Equal([nameof(DeviceEventKind.Created), nameof(DeviceEventKind.Updated)], await _store.EventsAsync("fan-1"));
    }

    [Fact]
    public async Task Two_creates_of_one_id_at_once_leave_one_device_and_a_conflict()
    {
        _store.Templates.WhileAsked = async () =>
            Assert.True((await Registry.CreateAsync(App, "fan-1", new DeviceWrite("First", null, true, false, []), Everywhere, CancellationToken.None)).Succeeded);

        var second = await Registry.CreateAsync(App, "fan-1", new DeviceWrite("Second", "fan", true, false, []), Everywhere, CancellationToken.None);

        Assert.Equal((ProblemKind.Conflict, "Device 'fan-1' already exists."), (second.Problem?.Kind, second.Problem?.Message));
        Assert.Equal("First", (await Registry.GetAsync(App, "fan-1", CancellationToken.None))!.DisplayName);
        Assert.Equal([nameof(DeviceEventKind.Created)], await _store.EventsAsync("fan-1"));
    }

    [Fact]
    public async Task Only_a_change_of_template_forgets_the_remembered_assignment()
    {
        await CreateAsync("fan-1", "fan");
        _store.Templates.ClearForgotten();

        Assert.True((await Registry.UpdateAsync(App, "fan-1", d => d with { DisplayName = "Renamed", Enabled = false }, null, Everywhere, CancellationToken.None)).Succeeded);
        Assert.Empty(_store.Templates.Forgotten);

        Assert.True((await Registry.UpdateAsync(App, "fan-1", d => d with { Template = "fan-v2" }, null, Everywhere, CancellationToken.None)).Succeeded);
        Assert.Equal([(App, "fan-1")], _store.Templates.Forgotten);

        Assert.True((await Registry.CreateOrReplaceAsync(App, "fan-1", new DeviceWrite(null, null, true, false, []), null, Everywhere, CancellationToken.None)).Succeeded);
        Assert.Equal([(App, "fan-1"), (App, "fan-1")], _store.Templates.Forgotten);
        Assert.Null((await Registry.GetAsync(App, "fan-1", CancellationToken.None))!.Template);
    }

    [Fact]
    public async Task A_device_announcing_a_known_model_on_connect_is_associated_and_its_assignment_forgotten()
    {
        await CreateAsync("loose-1", template: null);
        await CreateAsync("fan-1", "fan");
        _store.Templates.ClearForgotten();

        await Registry.RecordConnectivityAsync(App, "loose-1", connected: true, "dtmi:com:example:Fan;2", CancellationToken.None);
        await Registry.RecordConnectivityAsync(App, "fan-1", connected: true, "dtmi:com:example:Fan;2", CancellationToken.None);

        Assert.Equal("fan-v2", (await Registry.GetAsync(App, "loose-1", CancellationToken.None))!.Template);
        // An operator's assignment is never overridden by what the device announces.
        Assert.Equal("fan", (await Registry.GetAsync(App, "fan-1", CancellationToken.None))!.Template);
        Assert.Equal([(App, "loose-1")], _store.Templates.Forgotten);
    }

    [Fact]
    public async Task A_provisioned_device_takes_the_template_of_its_model()
    {
        var provisioned = await Registry.ProvisionAsync(App, "fan-9", autoApprove: false, "dtmi:com:example:Fan;1", null, null, CancellationToken.None);

        Assert.Equal(("fan", false, true), (provisioned.Template, provisioned.Approved, provisioned.Provisioned));
        Assert.Contains((App, "fan-9"), _store.Templates.Forgotten);
    }

    [Fact]
    public async Task Two_first_registrations_of_one_id_at_once_make_one_device()
    {
        // The second registration commits between the first one's read (no device yet) and its insert.
        _store.Templates.WhileFinding = () => Registry.ProvisionAsync(App, "fan-race", autoApprove: true, "dtmi:com:example:Fan;1", null, null, CancellationToken.None);

        var first = await Registry.ProvisionAsync(App, "fan-race", autoApprove: true, "dtmi:com:example:Fan;1", null, null, CancellationToken.None);

        Assert.Equal(("fan", true), (first.Template, first.Provisioned));
        Assert.Equal([nameof(DeviceEventKind.Created), nameof(DeviceEventKind.Updated)], await _store.EventsAsync("fan-race"));
    }

    [Fact]
    public async Task Replacing_a_device_keeps_its_approval_unless_the_write_sets_it()
    {
        await Registry.ProvisionAsync(App, "fan-9", autoApprove: false, null, null, null, CancellationToken.None);

        var kept = await Registry.CreateOrReplaceAsync(App, "fan-9", new DeviceWrite("Nine", null, true, false, []), null, Everywhere, CancellationToken.None);
        Assert.False(kept.Value!.Approved);

        var approved = await Registry.CreateOrReplaceAsync(App, "fan-9", new DeviceWrite("Nine", null, true, false, [], Approved: true), null, Everywhere, CancellationToken.None);
        Assert.True(approved.Value!.Approved);
        Assert.Contains("\"approved\"", await ChangesAsync("fan-9"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_device_has_its_own_generated_keys_and_a_changed_attestation_closes_its_connection()
    {
        await CreateAsync("fan-1", "fan");
        await CreateAsync("fan-2", "fan");

        var first = await Registry.CredentialsAsync(App, "fan-1", Everywhere, CancellationToken.None);
        var second = await Registry.CredentialsAsync(App, "fan-2", Everywhere, CancellationToken.None);
        Assert.True(first.Succeeded && second.Succeeded);
        Assert.NotEqual(first.Value!.PrimaryKey, first.Value.SecondaryKey);
        Assert.NotEqual(first.Value.PrimaryKey, second.Value!.PrimaryKey);

        var replaced = new DeviceKeys(SymmetricKeys.Generate(), SymmetricKeys.Generate());
        Assert.True((await Registry.SetAttestationAsync(App, "fan-1", new DeviceAttestation("symmetricKey", replaced, null, null), Everywhere, CancellationToken.None)).Succeeded);

        Assert.Equal(replaced, (await Registry.CredentialsAsync(App, "fan-1", Everywhere, CancellationToken.None)).Value);
        Assert.Equal([("fan-1", "device credentials changed")], _store.Connections.Closed);
        Assert.Equal(ProblemKind.NotFound, (await Registry.CredentialsAsync(App, "ghost-1", Everywhere, CancellationToken.None)).Problem?.Kind);
    }

    [Fact]
    public async Task Disabling_a_device_closes_its_connection()
    {
        await CreateAsync("fan-1", "fan");

        Assert.True((await Registry.UpdateAsync(App, "fan-1", d => d with { Enabled = false }, null, Everywhere, CancellationToken.None)).Succeeded);

        Assert.Equal([("fan-1", "device disabled")], _store.Connections.Closed);
    }

    [Fact]
    public async Task A_deleted_device_is_gone_logged_forgotten_and_disconnected_and_a_second_delete_is_not_found()
    {
        var created = await CreateAsync("fan-1", "fan");
        _store.Templates.ClearForgotten();

        var deleted = await Registry.DeleteAsync(App, "fan-1", Everywhere, CancellationToken.None);
        var again = await Registry.DeleteAsync(App, "fan-1", Everywhere, CancellationToken.None);

        AssertSameDevice(created, deleted.Value);
        Assert.Equal((ProblemKind.NotFound, "Device 'fan-1' was not found."), (again.Problem?.Kind, again.Problem?.Message));
        Assert.Null(await Registry.GetAsync(App, "fan-1", CancellationToken.None));
        Assert.Equal([nameof(DeviceEventKind.Created), nameof(DeviceEventKind.Deleted)], await _store.EventsAsync("fan-1"));
        Assert.Equal([(App, "fan-1")], _store.Templates.Forgotten);
        Assert.Equal([("fan-1", "device deleted")], _store.Connections.Closed);
    }

    [Fact]
    public async Task One_applications_device_is_not_anothers()
    {
        await CreateAsync("fan-1", "fan");

        Assert.Null(await Registry.GetAsync(OtherApp, "fan-1", CancellationToken.None));
        Assert.Equal(ProblemKind.NotFound, (await Registry.UpdateAsync(OtherApp, "fan-1", d => d, null, Everywhere, CancellationToken.None)).Problem?.Kind);
        Assert.Equal(ProblemKind.NotFound, (await Registry.DeleteAsync(OtherApp, "fan-1", Everywhere, CancellationToken.None)).Problem?.Kind);
        Assert.NotNull(await Registry.GetAsync(App, "fan-1", CancellationToken.None));
    }

    private async Task<Device> CreateAsync(string deviceId, string? template)
    {
        var outcome = await Registry.CreateOrReplaceAsync(App, deviceId, new DeviceWrite(deviceId, template, true, false, []), null, Everywhere, CancellationToken.None);
        Assert.True(outcome.Succeeded, outcome.Problem?.Message);
        return outcome.Value;
    }

    private async Task<string> ChangesAsync(string deviceId)
    {
        await using var db = await _store.ContextAsync();
        return string.Join(" ", await db.DeviceEvents.Where(e => e.ApplicationId == App && e.DeviceId == deviceId).Select(e => e.Data ?? "").ToListAsync());
    }

    private async Task AssertUntouchedAsync(string deviceId)
    {
        Assert.Null(await Registry.GetAsync(App, deviceId, CancellationToken.None));
        Assert.Empty(await _store.EventsAsync(deviceId));
        Assert.Empty(_store.Templates.Forgotten);
        Assert.Empty(_store.Connections.Closed);
    }
}
