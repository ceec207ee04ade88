using Centrum.Applications;
using Centrum.Organizations;
using Centrum.Outcomes;
using static Centrum.Devices.Tests.DeviceStore;

namespace Centrum.Devices.Tests;

/// <summary>
/// Creating a device as a person does (create only, never replace) and what it shows afterwards: the application's ID
/// scope, the device's keys and how they connect it.
/// </summary>
public sealed class DeviceCreationTests : IAsyncLifetime
{
    private static readonly Application Application = new(App, "App", "app-1.localhost", "0ne00000001", Suspended: false);
    private DeviceStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = await StartAsync();
        _store.Organizations.Add(App, "north", "south");
        var created = await _store.Registry.CreateOrReplaceAsync(App, "fan-1", new DeviceWrite(null, null, true, false, ["south"]), null, OrganizationReach.WholeApplication, CancellationToken.None);
        Assert.True(created.Succeeded);
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task The_details_carry_the_id_scope_the_keys_the_connection_string_and_the_node_command()
    {
        var keys = (await _store.Registry.CredentialsAsync(App, "fan-1", OrganizationReach.WholeApplication, CancellationToken.None)).Value!;

        var details = (await _store.ConnectionDetails.GetAsync(Application, "fan-1", OrganizationReach.Within(["south"]), CancellationToken.None)).Value!;

        Assert.Equal(("fan-1", "0ne00000001", "app-1.localhost", "localhost"), (details.DeviceId, details.IdScope, details.HubHostName, details.ProvisioningHost));
        Assert.Equal(keys, details.Keys);
        Assert.Equal($"HostName=app-1.localhost;DeviceId=fan-1;SharedAccessKey={keys.PrimaryKey}", details.ConnectionString);
        var lines = details.NodeProvisioningCommand.Split('\n');
        Assert.Equal("npm install " + DeviceConnectionDetails.NodePackages, lines[0]);
        Assert.StartsWith(
            $"PROVISIONING_HOST='localhost' PROVISIONING_IDSCOPE='0ne00000001' PROVISIONING_REGISTRATION_ID='fan-1' PROVISIONING_SYMMETRIC_KEY='{keys.PrimaryKey}' node -e '",
            lines[1], StringComparison.Ordinal);
        // The script sits in one pair of single quotes: the shell passes it to node unchanged.
        Assert.Equal(2 + 8, lines[1].Count(c => c == '\''));
    }

    [Fact]
    public async Task Creating_never_replaces_a_device_whoever_holds_the_id()
    {
        var before = await _store.Registry.GetAsync(App, "fan-1", CancellationToken.None);

        var again = await _store.Registry.CreateAsync(App, "fan-1", new DeviceWrite("Other", null, false, false, ["south"]), OrganizationReach.WholeApplication, CancellationToken.None);
        var outside = await _store.Registry.CreateAsync(App, "fan-1", new DeviceWrite("Other", null, false, false, ["north"]), OrganizationReach.Within(["north"]), CancellationToken.None);
        var created = await _store.Registry.CreateAsync(App, "fan-2", new DeviceWrite("Fan 2", null, true, true, ["north"]), OrganizationReach.Within(["north"]), CancellationToken.None);

        Assert.Equal((ProblemKind.Conflict, "Device 'fan-1' already exists."), (again.Problem?.Kind, again.Problem?.Message));
        Assert.Equal(ProblemKind.Conflict, outside.Problem?.Kind);
        AssertSameDevice(before, await _store.Registry.GetAsync(App, "fan-1", CancellationToken.None));
        Assert.Equal(("Fan 2", true, true), (created.Value?.DisplayName, created.Value?.Simulated, created.Value?.Approved));
    }

    [Fact]
    public async Task A_caller_that_does_not_reach_the_device_learns_nothing_of_it()
    {
        var outside = await _store.ConnectionDetails.GetAsync(Application, "fan-1", OrganizationReach.Within(["north"]), CancellationToken.None);
        var missing = await _store.ConnectionDetails.GetAsync(Application, "ghost", OrganizationReach.WholeApplication, CancellationToken.None);

        Assert.Equal((ProblemKind.NotFound, ProblemKind.NotFound), (outside.Problem?.Kind, missing.Problem?.Kind));
    }
}
