using System.Net;
using System.Text.Json.Nodes;

namespace Centrum.IntegrationTests.Jobs;

/// <summary>The REST calls the job tests make, spelled as an IoT Central script would (REST API 2022-07-31, Jobs).</summary>
internal static class JobsRest
{
    /// <summary>A template with a writable property and a command, as a fleet operator's job targets.</summary>
    public static async Task PutTemplateAsync(HttpClient http, string id, string displayName)
    {
        var body = $$$"""
            {"@type":["ModelDefinition","DeviceModel"],"displayName":"{{{displayName}}}","capabilityModel":{"@id":"{{{id}}}","@type":"Interface",
             "@context":["dtmi:iotcentral:context;2","dtmi:dtdl:context;2"],"contents":[
               {"@type":"Property","name":"fanSpeed","schema":"integer","writable":true},
               {"@type":"Command","name":"reboot","request":{"name":"delay","schema":"integer"}}]}}
            """;
        var response = await http.PutAsync($"api/deviceTemplates/{Uri.EscapeDataString(id)}?{DeviceApi.Version}", CentrumServer.Json(body));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Creates the devices on <paramref name="template"/> and returns their primary keys by device id.</summary>
    public static async Task<Dictionary<string, string>> CreateDevicesAsync(HttpClient http, IEnumerable<string> ids, string template)
    {
        var keys = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, _) =>
            keys[id] = await http.CreateDeviceAsync(id, $$"""{"template":"{{template}}"}"""));
        return new Dictionary<string, string>(keys);
    }

    public static async Task PutGroupAsync(HttpClient http, string id, string filter)
    {
        var body = new JsonObject { ["displayName"] = id, ["filter"] = filter };
        var response = await http.PutAsync($"api/deviceGroups/{id}?{DeviceApi.Version}", CentrumServer.Json(body.ToJsonString()));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    public static async Task<JsonObject> PutJobAsync(HttpClient http, string id, JsonObject body)
    {
        var response = await http.PutAsync($"api/jobs/{id}?{DeviceApi.Version}", CentrumServer.Json(body.ToJsonString()));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"PUT job {id}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    public static Task<JsonObject> GetJobAsync(HttpClient http, string id) => http.GetJsonAsync($"api/jobs/{id}");

    /// <summary>
    /// Every target of the job with its status and reason, in the order the job takes them, through every page. Pages
    /// are as large as the API allows, so a job of up to 100 devices is read in one request: one statement, one
    /// consistent snapshot of a running job (pages read one after another may see its devices at different moments).
    /// </summary>
    public static async Task<List<(string Id, string Status, string? Reason)>> DevicesAsync(HttpClient http, string id)
    {
        var all = new List<(string, string, string?)>();
        var next = (string?)$"api/jobs/{id}/devices?maxpagesize={Centrum.Jobs.JobService.MaxPageSize}&{DeviceApi.Version}";
        while (next is not null)
        {
            var response = await http.GetAsync(next);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"GET {next}: {(int)response.StatusCode} {text}");
            var page = JsonNode.Parse(text)!;
            all.AddRange(page["value"]!.AsArray().Select(d => ((string)d!["id"]!, (string)d["status"]!, (string?)d["reason"])));
            next = (string?)page["nextLink"];
        }

        return all;
    }

    /// <summary>Waits until the job reaches one of <paramref name="statuses"/> and returns it as read then.</summary>
    public static async Task<JsonObject> WaitForStatusAsync(HttpClient http, string id, TimeSpan timeout, params string[] statuses)
    {
        JsonObject? job = null;
        await Wait.UntilAsync(async () =>
        {
            job = await GetJobAsync(http, id);
            return statuses.Contains((string?)job["status"]);
        }, timeout, $"job {id} is {string.Join(" or ", statuses)} (last read: {job?.ToJsonString()})");
        return job!;
    }

    public static async Task PostAsync(HttpClient http, string path)
    {
        var response = await http.PostAsync($"{path}?{DeviceApi.Version}", null);
        Assert.True(response.StatusCode == HttpStatusCode.NoContent, $"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public static (int Total, int Pending, int Completed, int Failed) Progress(JsonObject job)
    {
        var progress = job["progress"]!;
        return ((int)progress["total"]!, (int)progress["pending"]!, (int)progress["completed"]!, (int)progress["failed"]!);
    }

    public static JsonObject PropertyData(string template, int value) =>
        new() { ["type"] = "property", ["target"] = template, ["path"] = "fanSpeed", ["value"] = value };

    public static JsonObject CommandData(string template, int delay) =>
        new() { ["type"] = "command", ["target"] = template, ["path"] = "reboot", ["value"] = delay };

    public static JsonArray Ids(IEnumerable<string> ids) => new([.. ids.Select(i => (JsonNode)i)]);
}
