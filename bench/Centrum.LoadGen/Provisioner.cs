using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Centrum.LoadGen;

/// <summary>Creates the bench devices through Centrum's REST API and writes their keys, as a script would.</summary>
internal static class Provisioner
{
    /// <summary>Creates the devices; with <paramref name="jobTemplate"/>, on the jobs bench's template, which is created first.</summary>
    public static async Task RunAsync(string api, string token, string caPath, int devices, string output, bool jobTemplate, CancellationToken cancellationToken)
    {
        using var http = RestClient.Create(api, token, caPath);
        var body = "{}";
        if (jobTemplate)
        {
            await JobRun.PutTemplateAsync(http, cancellationToken);
            body = $$"""{"template":"{{JobRun.Template}}"}""";
        }

        var lines = new string[devices];
        await Parallel.ForEachAsync(Enumerable.Range(0, devices), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var id = $"bench-{i:D5}";
            var put = await http.PutAsync($"api/devices/{id}?api-version=2022-07-31", new StringContent(body, Encoding.UTF8, "application/json"), ct);
            put.EnsureSuccessStatusCode();
            var credentials = await http.GetFromJsonAsync<JsonObject>($"api/devices/{id}/credentials?api-version=2022-07-31", ct);
            lines[i] = $"{id} {credentials!["symmetricKey"]!["primaryKey"]}";
        });
        await File.WriteAllLinesAsync(output, lines, cancellationToken);
    }
}
