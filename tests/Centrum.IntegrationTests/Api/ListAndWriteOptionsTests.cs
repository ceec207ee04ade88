using System.Net;
using System.Text.Json.Nodes;

namespace Centrum.IntegrationTests.Api;

/// <summary>
/// The list and write options IoT Central's REST API declares (2022-10-31-preview: filter, orderby, expand on device
/// and template lists; Organizations_Update's If-Match; the property writes' unmodeled), against the real server:
/// each is honoured or refused naming it, never silently ignored.
/// </summary>
public sealed class ListAndWriteOptionsTests : IAsyncLifetime
{
    private const string Preview = "api-version=2022-10-31-preview";
    private const string Model = "dtmi:com:example:Thermostat;1";
    private CentrumServer? _server;

    private HttpClient Http => _server!.AdminHttp();

    public async Task InitializeAsync() => _server = await CentrumServer.StartAsync();

    public async Task DisposeAsync() => await _server!.DisposeAsync();

    [Theory]
    [InlineData("devices", "filter", "displayName eq 'x'")]
    [InlineData("devices", "orderby", "displayName")]
    [InlineData("devices", "expand", "deviceTemplate")]
    [InlineData("deviceTemplates", "filter", "displayName eq 'x'")]
    [InlineData("deviceTemplates", "orderby", "displayName")]
    public async Task List_option_Centrum_does_not_evaluate_is_refused_naming_it(string list, string option, string value)
    {
        var response = await Http.GetAsync($"api/{list}?{Preview}&{option}={Uri.EscapeDataString(value)}");
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("BadRequest", (string?)error["code"]);
        Assert.Contains($"'{option}'", (string?)error["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Device_list_nextLink_keeps_every_query_parameter_and_pages_through_all_devices()
    {
        foreach (var id in new[] { "page-a", "page-b", "page-c" })
        {
            await Http.CreateDeviceAsync(id);
        }

        var seen = new List<string>();
        var url = $"api/devices?{Preview}&maxpagesize=1&trace=keep-me";
        for (var pages = 0; url is not null && pages < 10; pages++)
        {
            var page = JsonNode.Parse(await Http.GetStringAsync(url))!;
            seen.AddRange(page["value"]!.AsArray().Select(d => (string)d!["id"]!));
            url = (string?)page["nextLink"];
            if (url is not null)
            {
                var query = System.Web.HttpUtility.ParseQueryString(new Uri(url).Query);
                Assert.Equal("2022-10-31-preview", query["api-version"]);
                Assert.Equal("1", query["maxpagesize"]);
                Assert.Equal("keep-me", query["trace"]);
                Assert.NotNull(query["$skiptoken"]);
            }
        }

        Assert.Equal(["page-a", "page-b", "page-c"], seen.Order());
    }

    [Fact]
    public async Task Organization_update_honours_If_Match_and_answers_412_in_IoT_Central_error_shape_on_mismatch()
    {
        var created = await Http.PutAsync($"api/organizations/etag-org?{Preview}", CentrumServer.Json("""{"displayName":"Before"}"""));
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var read = await Http.GetAsync($"api/organizations/etag-org?{Preview}");
        var etag = read.Headers.ETag?.Tag;
        Assert.False(string.IsNullOrEmpty(etag));

        using var stale = Patch("etag-org", """{"displayName":"Stale"}""", "\"not-the-etag\"");
        var refused = await Http.SendAsync(stale);
        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);
        Assert.Equal("PreconditionFailed", (string?)JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["error"]!["code"]);
        Assert.Equal("Before", (string?)JsonNode.Parse(await Http.GetStringAsync($"api/organizations/etag-org?{Preview}"))!["displayName"]);

        using var current = Patch("etag-org", """{"displayName":"After"}""", etag!);
        var updated = await Http.SendAsync(current);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal("After", (string?)JsonNode.Parse(await updated.Content.ReadAsStringAsync())!["displayName"]);
        Assert.NotEqual(etag, updated.Headers.ETag?.Tag);

        // The etag read before the update is stale now; any etag ("*") still matches an existing organization.
        using var again = Patch("etag-org", """{"displayName":"Again"}""", etag!);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await Http.SendAsync(again)).StatusCode);
        using var any = Patch("etag-org", """{"displayName":"Any"}""", "*");
        Assert.Equal(HttpStatusCode.OK, (await Http.SendAsync(any)).StatusCode);
        Assert.Equal("Any", (string?)JsonNode.Parse(await Http.GetStringAsync($"api/organizations/etag-org?{Preview}"))!["displayName"]);
    }

    [Fact]
    public async Task Property_write_with_unmodeled_true_accepts_undeclared_properties_and_still_checks_declared_ones()
    {
        var template = $$$"""{"@type":["ModelDefinition","DeviceModel"],"capabilityModel":{"@id":"{{{Model}}}","@type":"Interface","contents":[{"@type":"Property","name":"targetTemperature","schema":"double","writable":true}]}}""";
        Assert.Equal(HttpStatusCode.OK, (await Http.PutAsync($"api/deviceTemplates/{Model}?{Preview}", CentrumServer.Json(template))).StatusCode);
        await Http.CreateDeviceAsync("unmodeled-1", $$"""{"template":"{{Model}}"}""");

        var modeledOnly = await Http.PatchAsync($"api/devices/unmodeled-1/properties?{Preview}", CentrumServer.Json("""{"extra":"x"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, modeledOnly.StatusCode);

        var accepted = await Http.PatchAsync($"api/devices/unmodeled-1/properties?{Preview}&unmodeled=true", CentrumServer.Json("""{"extra":"x","targetTemperature":21.5}"""));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var read = JsonNode.Parse(await Http.GetStringAsync($"api/devices/unmodeled-1/properties?{Preview}&unmodeled=true"))!;
        Assert.Equal("x", (string?)read["$metadata"]!["extra"]!["desiredValue"]);
        Assert.Equal(21.5, (double?)read["$metadata"]!["targetTemperature"]!["desiredValue"]);

        var badDeclared = await Http.PatchAsync($"api/devices/unmodeled-1/properties?{Preview}&unmodeled=true", CentrumServer.Json("""{"extra":"y","targetTemperature":"warm"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, badDeclared.StatusCode);
        var notBoolean = await Http.PatchAsync($"api/devices/unmodeled-1/properties?{Preview}&unmodeled=maybe", CentrumServer.Json("""{"extra":"z"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, notBoolean.StatusCode);
        Assert.Contains("'unmodeled'", await notBoolean.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var unchanged = JsonNode.Parse(await Http.GetStringAsync($"api/devices/unmodeled-1/properties?{Preview}&unmodeled=true"))!;
        Assert.Equal("x", (string?)unchanged["$metadata"]!["extra"]!["desiredValue"]);
    }

    private static HttpRequestMessage Patch(string organization, string body, string ifMatch)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, $"api/organizations/{organization}?{Preview}") { Content = CentrumServer.Json(body) };
        request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return request;
    }
}
