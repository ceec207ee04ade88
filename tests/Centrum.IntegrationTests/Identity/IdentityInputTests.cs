using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Centrum.Identity.Users;

namespace Centrum.IntegrationTests.Identity;

/// <summary>
/// Input the identity and device APIs must refuse cheaply and clearly: hostile email addresses (checked in linear
/// time), and devices placed in organizations that do not exist. Each refusal is a 400 naming the member, nothing is
/// written, and the server goes on serving.
/// </summary>
public sealed class IdentityInputTests
{
    private const string Operator = "ae2c9854-393b-4f97-8c42-479d70ce626e";

    /// <summary>Inputs a backtracking pattern spends quadratic time on: many '@' or '.' candidates and no valid end.</summary>
    private static readonly string[] ValidAddresses = ["alice@example.com", "a.b+c@sub.example.co", "x@y.z"];

    private static readonly string[] InvalidAddresses =
    [
        "", "alice", "@example.com", "alice@", "alice@example", "alice@@example.com", "al ice@example.com", "alice@example..com",
        "alice@.example.com", "alice@example.com.", new string('a', 65) + "@example.com", "a@" + new string('b', 64) + ".com",
    ];

    private static readonly string[] Hostile =
    [
        "a@" + string.Concat(Enumerable.Repeat(".a", 50_000)) + "@",
        new string('@', 100_000),
        "a@" + new string('b', 100_000) + " ",
        string.Concat(Enumerable.Repeat("a@b.", 25_000)),
        new string('a', 100_000) + "@example.com",
    ];

    [Fact]
    public void Email_addresses_are_checked_in_linear_time_and_by_their_shape()
    {
        foreach (var input in Hostile)
        {
            var watch = Stopwatch.StartNew();
            Assert.False(EmailAddresses.IsValid(input));
            Assert.True(watch.Elapsed < TimeSpan.FromMilliseconds(50), $"{input.Length} characters took {watch.Elapsed.TotalMilliseconds} ms");
        }

        Assert.All(ValidAddresses, a => Assert.True(EmailAddresses.IsValid(a), a));
        Assert.All(InvalidAddresses, a => Assert.False(EmailAddresses.IsValid(a), a));
    }

    [Fact]
    public async Task Hostile_emails_and_unknown_organizations_are_refused_with_400_naming_the_member()
    {
        await using var server = await CentrumServer.StartAsync();
        var admin = server.AdminHttp();
        foreach (var input in Hostile)
        {
            var watch = Stopwatch.StartNew();
            var body = new JsonObject { ["type"] = "email", ["email"] = input, ["roles"] = new JsonArray(new JsonObject { ["role"] = Operator }) };
            using var response = await admin.PutAsync($"api/users/hostile?{DeviceApi.Version}", CentrumServer.Json(body.ToJsonString()));
            await AssertBadRequestAsync(response, "email");
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"{input.Length} characters answered in {watch.Elapsed.TotalMilliseconds} ms");
        }

        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"api/users/hostile?{DeviceApi.Version}")).StatusCode);

        // A device in an organization that does not exist: refused on create and on update, nothing changes.
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"api/organizations/north?{DeviceApi.Version}", CentrumServer.Json("""{"displayName":"North"}"""))).StatusCode);
        await AssertBadRequestAsync(await admin.PutAsync($"api/devices/lost-1?{DeviceApi.Version}", CentrumServer.Json("""{"organizations":["north","nowhere"]}""")), "'nowhere'");
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"api/devices/lost-1?{DeviceApi.Version}")).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync($"api/devices/placed-1?{DeviceApi.Version}", CentrumServer.Json("""{"organizations":["north"]}"""))).StatusCode);
        var before = await admin.GetStringAsync($"api/devices/placed-1?{DeviceApi.Version}");
        await AssertBadRequestAsync(await admin.PatchAsync($"api/devices/placed-1?{DeviceApi.Version}", CentrumServer.Json("""{"organizations":["ghost"]}""")), "'ghost'");
        await AssertBadRequestAsync(await admin.PutAsync($"api/devices/placed-1?{DeviceApi.Version}", CentrumServer.Json("""{"organizations":["ghost"]}""")), "'ghost'");
        Assert.Equal(before, await admin.GetStringAsync($"api/devices/placed-1?{DeviceApi.Version}"));
        Assert.Equal(HttpStatusCode.OK, (await admin.PatchAsync($"api/devices/placed-1?{DeviceApi.Version}", CentrumServer.Json("""{"organizations":[]}"""))).StatusCode);
    }

    private static async Task AssertBadRequestAsync(HttpResponseMessage response, string named)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {text}");
        var error = JsonNode.Parse(text)!["error"]!;
        Assert.Equal("BadRequest", (string?)error["code"]);
        Assert.Contains(named, (string?)error["message"], StringComparison.Ordinal);
        Assert.True(((string?)error["message"])!.Length < 500, "the message does not echo the input");
    }
}
