using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Centrum.LoadGen;

/// <summary>Creates the bench devices through Centrum's REST API and writes their keys, as a script would.</summary>
internal static class Provisioner
{
    public static async Task RunAsync(string api, string token, string caPath, int devices, string output, CancellationToken cancellationToken)
    {
        using var http = RestClient.Create(api, token, caPath);
        var lines = new string[devices];
        await Parallel.ForEachAsync(Enumerable.Range(0, devices), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var id = $"bench-{i:D5}";
            var put = await http.PutAsync($"api/devices/{id}?api-version=2022-07-31", new StringContent("{}", Encoding.UTF8, "application/json"), ct);
            put.EnsureSuccessStatusCode();
            var credentials = await http.GetFromJsonAsync<JsonObject>($"api/devices/{id}/credentials?api-version=2022-07-31", ct);
            lines[i] = $"{id} {credentials!["symmetricKey"]!["primaryKey"]}";
        });
        await File.WriteAllLinesAsync(output, lines, cancellationToken);
    }
}
