using System.Net;
using Centrum.Identity.Authorization;
using Microsoft.Playwright;

namespace Centrum.IntegrationTests.Web;

/// <summary>The home page's device figures are counted within the caller's reach, as REST's device list answers it.</summary>
public sealed class HomePageTests(Chromium chromium) : IClassFixture<Chromium>
{
    [Fact]
    public async Task An_organization_scoped_person_counts_only_the_devices_of_its_organizations()
    {
        await using var server = await CentrumServer.StartAsync();
        var admin = server.AdminHttp();
        foreach (var (id, parent) in new[] { ("north", default(string)), ("north-east", "north"), ("south", null) })
        {
            var body = parent is null ? $$"""{"displayName":"{{id}}"}""" : $$"""{"displayName":"{{id}}","parent":"{{parent}}"}""";
            Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"api/organizations/{id}?{DeviceApi.Version}", CentrumServer.Json(body))).StatusCode);
        }

        foreach (var (id, body) in new[]
        {
            ("in-north-east", """{"organizations":["north-east"]}"""),
            ("in-north-blocked", """{"organizations":["north"],"enabled":false}"""),
            ("in-south", """{"organizations":["south"],"simulated":true}"""),
            ("application-wide", "{}"),
        })
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"api/devices/{id}?{DeviceApi.Version}", CentrumServer.Json(body))).StatusCode);
        }

        await using var northern = await chromium.OpenAsync(server);
        var email = await northern.CreateMemberAsync(BuiltInRoles.OrgOperator, organization: "north");
        await northern.SignInAsync(email);
        await Assertions.Expect(northern.Page.GetByTestId("devices-total")).ToHaveTextAsync("2");
        await Assertions.Expect(northern.Page.GetByTestId("devices-blocked")).ToHaveTextAsync("1");
        await Assertions.Expect(northern.Page.GetByTestId("devices-simulated")).ToHaveTextAsync("0");

        // REST, with the same session, lists the same two.
        var listed = await northern.Page.APIRequest.GetAsync($"api/devices?{DeviceApi.Version}");
        var ids = System.Text.Json.Nodes.JsonNode.Parse(await listed.TextAsync())!["value"]!.AsArray().Select(d => (string)d!["id"]!).Order(StringComparer.Ordinal);
        Assert.Equal(["in-north-blocked", "in-north-east"], ids);

        await using var everywhere = await chromium.OpenAsync(server);
        await everywhere.SignInAsAsync(BuiltInRoles.AppOperator);
        await Assertions.Expect(everywhere.Page.GetByTestId("devices-total")).ToHaveTextAsync("4");
        await Assertions.Expect(everywhere.Page.GetByTestId("devices-simulated")).ToHaveTextAsync("1");
    }
}
