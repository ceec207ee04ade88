using System.Security.Cryptography.X509Certificates;

namespace Centrum.LoadGen;

/// <summary>An HTTP client for Centrum's REST API: trusts the server's CA only and sends the API token on every request.</summary>
internal static class RestClient
{
    public static HttpClient Create(string api, string token, string caPath)
    {
        var ca = X509Certificate2.CreateFromPem(File.ReadAllText(caPath));
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) => DeviceFleet.Trusted(certificate, ca);
        var http = new HttpClient(handler, disposeHandler: true) { BaseAddress = new Uri(api) };
        http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", token);
        return http;
    }
}
