using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace Centrum.LoadGen;

/// <summary>Creates the bench devices through Centrum's REST API and writes their keys, as a script would.</summary>
internal static class Provisioner
{
    public static async Task RunAsync(string api, string token, string caPath, int devices, string output, CancellationToken cancellationToken)
    {
        var ca = X509Certificate2.CreateFromPem(File.ReadAllText(caPath));
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) => DeviceFleet.Trusted(certificate, ca);
        using var http = new HttpClient(handler) { BaseAddress = new Uri(api) };
        http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", token);
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
