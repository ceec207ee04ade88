using Centrum.Organizations;
using static Centrum.Devices.Tests.DeviceStore;

namespace Centrum.Devices.Tests;

/// <summary>What other areas learn about devices through <see cref="IDeviceDirectory"/>: exact answers, scoped to one application.</summary>
public sealed class DeviceDirectoryTests : IAsyncLifetime
{
    private DeviceStore _store = null!;

    private IDeviceDirectory Directory => _store.Directory;

    public async Task InitializeAsync()
    {
        _store = await StartAsync();
        _store.Templates.Add(App, "fan", "dtmi:com:example:Fan;1");
        _store.Templates.Add(OtherApp, "pump", "dtmi:com:example:Pump;1");
        _store.Organizations.Add(App, "org-10", "org-1x");
        _store.Organizations.Add(OtherApp, "org-1");
        await CreateAsync(App, "fan-1", "fan", "org-10");
        await CreateAsync(App, "loose-1", null);
        await CreateAsync(OtherApp, "pump-1", "pump", "org-1");
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task A_device_exists_only_in_its_own_application()
    {
        Assert.True(await Directory.ExistsAsync(App, "fan-1", CancellationToken.None));
        Assert.False(await Directory.ExistsAsync(OtherApp, "fan-1", CancellationToken.None));
        Assert.False(await Directory.ExistsAsync(App, "ghost-1", CancellationToken.None));
    }

    [Fact]
    public async Task The_template_of_a_device_is_its_assignment_or_none()
    {
        Assert.Equal("fan", await Directory.TemplateOfAsync(App, "fan-1", CancellationToken.None));
        Assert.Null(await Directory.TemplateOfAsync(App, "loose-1", CancellationToken.None));
        Assert.Null(await Directory.TemplateOfAsync(App, "ghost-1", CancellationToken.None));
        Assert.Null(await Directory.TemplateOfAsync(App, "pump-1", CancellationToken.None));
    }

    [Fact]
    public async Task A_template_is_in_use_while_a_device_of_the_application_is_assigned_to_it()
    {
        Assert.True(await Directory.AnyUsingTemplateAsync(App, "fan", CancellationToken.None));
        Assert.False(await Directory.AnyUsingTemplateAsync(App, "pump", CancellationToken.None));

        Assert.True((await _store.Registry.DeleteAsync(App, "fan-1", OrganizationReach.WholeApplication, CancellationToken.None)).Succeeded);

        Assert.False(await Directory.AnyUsingTemplateAsync(App, "fan", CancellationToken.None));
    }

    [Fact]
    public async Task An_organization_is_in_use_only_by_an_exact_id_of_the_same_application()
    {
        Assert.True(await Directory.AnyInOrganizationAsync(App, "org-10", CancellationToken.None));
        // A prefix of a member's id, or another application's organization of that name, is not a member.
        Assert.False(await Directory.AnyInOrganizationAsync(App, "org-1", CancellationToken.None));
        Assert.False(await Directory.AnyInOrganizationAsync(App, "org-1x", CancellationToken.None));
        Assert.False(await Directory.AnyInOrganizationAsync(OtherApp, "org-10", CancellationToken.None));
        Assert.True(await Directory.AnyInOrganizationAsync(OtherApp, "org-1", CancellationToken.None));
    }

    private async Task CreateAsync(string applicationId, string deviceId, string? template, params string[] organizations)
    {
        var outcome = await _store.Registry.CreateOrReplaceAsync(applicationId, deviceId, new DeviceWrite(deviceId, template, true, false, organizations), null, OrganizationReach.WholeApplication, CancellationToken.None);
        Assert.True(outcome.Succeeded, outcome.Problem?.Message);
    }
}
