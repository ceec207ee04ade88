using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace Centrum.QueryBench;

/// <summary>The bench's device template and devices, created through the REST API as an IoT Central script would.</summary>
internal static class BenchFleet
{
    public const string TemplateId = "dtmi:centrum:bench:Thermometer;1";

    public const string StableVersion = "api-version=2022-07-31";

    private const string Template = """
        {"@type":["ModelDefinition","DeviceModel"],"displayName":"Query bench thermometer",
         "capabilityModel":{"@id":"dtmi:centrum:bench:Thermometer;1","@type":"Interface",
           "contents":[{"@type":"Telemetry","name":"temperature","schema":"double"}]}}
        """;

    /// <summary>Device ids by index; the seeder builds the same ids in SQL (<c>'bench-' || lpad(i, 5, '0')</c>).</summary>
    public static string DeviceId(int index) => $"bench-{index:D5}";

    public static IReadOnlyList<string> DeviceIds(int devices) => Enumerable.Range(0, devices).Select(DeviceId).ToList();

    public static async Task CreateAsync(HttpClient http, int devices, CancellationToken cancellationToken)
    {
        var template = await http.PutAsync($"api/deviceTemplates/{TemplateId}?{StableVersion}", Json(Template), cancellationToken);
        await EnsureAsync(template, cancellationToken);
        await Parallel.ForEachAsync(Enumerable.Range(0, devices), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var body = new JsonObject { ["displayName"] = DeviceId(i), ["template"] = TemplateId }.ToJsonString();
            await EnsureAsync(await http.PutAsync($"api/devices/{DeviceId(i)}?{StableVersion}", Json(body), ct), ct);
        });
    }

    /// <summary>An HTTPS client that trusts only the server's CA, with the API token on every request.</summary>
    public static HttpClient Client(string api, string token, string caPath)
    {
        var ca = X509Certificate2.CreateFromPem(File.ReadAllText(caPath));
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, certificate, _, _) => Trusted(certificate, ca) },
        };
        var http = new HttpClient(handler) { BaseAddress = new Uri(api), Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", token);
        return http;
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static async Task EnsureAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }

    private static bool Trusted(X509Certificate? certificate, X509Certificate2 ca)
    {
        if (certificate is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
    }
}
