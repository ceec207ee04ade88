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
    [InlineData("devices", "filter", "displayName eq")]
    [InlineData("devices", "filter", "color eq 'red'")]
    [InlineData("devices", "filter", "enabled gt true")]
    [InlineData("devices", "filter", "contains(displayName, 'x'")]
    [InlineData("devices", "orderby", "id")]
    [InlineData("devices", "orderby", "displayName sideways")]
    [InlineData("devices", "expand", "deviceTemplate")]
    [InlineData("devices", "expand", "no spaces")]
    [InlineData("deviceTemplates", "filter", "enabled eq true")]
    [InlineData("deviceTemplates", "orderby", "@id")]
    public async Task List_option_that_cannot_be_evaluated_is_refused_naming_it(string list, string option, string value)
    {
        var response = await Http.GetAsync($"api/{list}?{Preview}&{option}={Uri.EscapeDataString(value)}");
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("BadRequest", (string?)error["code"]);
        Assert.Contains($"'{option}'", (string?)error["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Device_list_filter_selects_by_the_documented_fields_and_orderby_pages_through_in_order()
    {
        Assert.Equal(HttpStatusCode.OK, (await Http.PutAsync($"api/organizations/filter-org?{Preview}", CentrumServer.Json("""{"displayName":"Filter org"}"""))).StatusCode);
        await Http.CreateDeviceAsync("f-1", """{"displayName":"Room Thermostat","enabled":true}""");
        await Http.CreateDeviceAsync("f-2", """{"displayName":"thermostat, kitchen","enabled":false,"simulated":true}""");
        await Http.CreateDeviceAsync("f-3", """{"displayName":"Pump","enabled":true,"organizations":["filter-org"]}""");
        await Http.CreateDeviceAsync("f-4", """{"displayName":"Aircon Thermostat","enabled":true,"organizations":["filter-org"]}""");

        Assert.Equal(["f-1", "f-2", "f-4"], await IdsAsync("devices", "filter=" + Uri.EscapeDataString("contains(displayName, 'THERMOSTAT')")));
        Assert.Equal(["f-2"], await IdsAsync("devices", "filter=" + Uri.EscapeDataString("Enabled ne true")));
        Assert.Equal(["f-3", "f-4"], await IdsAsync("devices", "filter=" + Uri.EscapeDataString("scopes eq 'filter-org'")));
        Assert.Equal(["f-1", "f-4"], await IdsAsync("devices", "filter=" + Uri.EscapeDataString("(id eq 'f-1' or scopes eq 'filter-org') and contains(displayName, 'stat') and simulated eq false")));
        Assert.Equal(["f-3", "f-4"], await IdsAsync("devices", "filter=" + Uri.EscapeDataString("id ge 'f-3' and id lt 'f-5'")));

        // Ordered by display name, one per page: nextLink keeps filter and orderby and continues in that order.
        var descending = await IdsAsync("devices", "orderby=" + Uri.EscapeDataString("displayName desc") + "&filter=" + Uri.EscapeDataString("id ge 'f-'") + "&maxpagesize=1");
        Assert.Equal(["f-2", "f-1", "f-3", "f-4"], descending);
        Assert.Equal(["f-4", "f-3", "f-1", "f-2"], await IdsAsync("devices", "orderby=displayName&maxpagesize=3&filter=" + Uri.EscapeDataString("id ge 'f-'")));

        // Organization reach still narrows a filtered list: a token of filter-org sees only its devices.
        var issued = await Http.PutAsync($"api/apiTokens/filter-operator?{Preview}", CentrumServer.Json("""{"roles":[{"role":"b4935647-30e4-4ed3-9074-dcac66c2f8ef","organization":"filter-org"}]}"""));
        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        using var operatorHttp = _server!.Http((string)JsonNode.Parse(await issued.Content.ReadAsStringAsync())!["token"]!);
        Assert.Equal(["f-4"], await IdsAsync("devices", "filter=" + Uri.EscapeDataString("contains(displayName, 'thermostat')"), operatorHttp));
    }

    [Fact]
    public async Task Template_list_filter_and_orderby_use_the_documented_template_fields()
    {
        foreach (var (id, name) in new[] { ("dtmi:filter:A;1", "Vehicle Thermostat"), ("dtmi:filter:B;1", "Room Thermostat"), ("dtmi:filter:C;1", "Pump") })
        {
            var model = id.Replace(";1", "Model;1", StringComparison.Ordinal);
            var body = $$$"""{"displayName":"{{{name}}}","@type":["ModelDefinition","DeviceModel"],"capabilityModel":{"@id":"{{{model}}}","@type":"Interface","contents":[]}}""";
            Assert.Equal(HttpStatusCode.OK, (await Http.PutAsync($"api/deviceTemplates/{Uri.EscapeDataString(id)}?{Preview}", CentrumServer.Json(body))).StatusCode);
        }

        Assert.Equal(["dtmi:filter:B;1", "dtmi:filter:A;1"], await IdsAsync("deviceTemplates", "orderby=displayName&filter=" + Uri.EscapeDataString("contains(displayName, 'thermostat')"), member: "@id"));
        Assert.Equal(["dtmi:filter:C;1"], await IdsAsync("deviceTemplates", "filter=" + Uri.EscapeDataString("'@id' eq 'dtmi:filter:C;1' or capabilityModelId eq 'dtmi:nothing;1'"), member: "@id"));
        Assert.Equal(["dtmi:filter:A;1", "dtmi:filter:B;1", "dtmi:filter:C;1"], await IdsAsync("deviceTemplates", "maxpagesize=1&orderby=" + Uri.EscapeDataString("displayName desc") + "&filter=" + Uri.EscapeDataString("capabilityModelId ge 'dtmi:filter:'"), member: "@id"));
    }

    /// <summary>Every page of a list, following nextLink, checking that it keeps the list options.</summary>
    private async Task<List<string>> IdsAsync(string list, string options, HttpClient? http = null, string member = "id")
    {
        http ??= Http;
        var ids = new List<string>();
        var url = $"api/{list}?{Preview}&{options}";
        var expected = System.Web.HttpUtility.ParseQueryString(options);
        for (var pages = 0; url is not null; pages++)
        {
            Assert.True(pages < 20, "the list does not end");
            var response = await http.GetAsync(url);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"GET {url}: {(int)response.StatusCode} {text}");
            var page = JsonNode.Parse(text)!;
            ids.AddRange(page["value"]!.AsArray().Select(d => (string)d![member]!));
            url = (string?)page["nextLink"];
            if (url is not null)
            {
                var query = System.Web.HttpUtility.ParseQueryString(new Uri(url).Query);
                foreach (var key in expected.AllKeys)
                {
                    Assert.Equal(expected[key], query[key]);
                }
            }
        }

        return ids;
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
