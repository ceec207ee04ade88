using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace Centrum.IntegrationTests.Identity;

/// <summary>
/// Sign-in attempts are limited per source address and per account before anything is checked or written: past the
/// allowance the server answers 429 with Retry-After in IoT Central's error shape, so failed sign-ins cannot grow the
/// audit log without bound; what an audit entry keeps of the request is bounded and never holds the password.
/// </summary>
public sealed class SignInLimitTests
{
    private const int PerAddress = 12;
    private const int PerAccount = 3;
    private const string Password = "Never-in-the-audit-log-42";

    [Fact]
    public async Task Attempts_past_the_allowance_answer_429_and_the_audit_log_stays_bounded()
    {
        await using var server = await CentrumServer.StartAsync(new Dictionary<string, string>
        {
            ["Centrum:Identity:SignIn:AttemptsPerAddress"] = PerAddress.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Centrum:Identity:SignIn:AttemptsPerAccount"] = PerAccount.ToString(System.Globalization.CultureInfo.InvariantCulture),

            // Longer than the test: nothing is refilled while it runs.
            ["Centrum:Identity:SignIn:Window"] = "01:00:00",
        });
        var admin = server.AdminHttp();
        using var attacker = From(server, LoopbackAddresses.Next());
        using var bystander = From(server, LoopbackAddresses.Next());

        // One account: its allowance is spent after PerAccount attempts, from any address.
        for (var i = 0; i < PerAccount; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAsync(attacker, "victim@example.com")).Status);
        }

        var (status, error, retryAfter) = await SignInAsync(attacker, "victim@example.com");
        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Equal("TooManyRequests", (string?)error!["code"]);
        Assert.Contains("account", (string?)error["message"], StringComparison.Ordinal);
        Assert.True(retryAfter is > 0 and <= 3600, $"Retry-After {retryAfter}");
        Assert.Equal(HttpStatusCode.TooManyRequests, (await SignInAsync(bystander, "victim@example.com")).Status);

        // Many accounts from one address, each named by a 100 KB "email": the address's allowance ends it.
        var answered = PerAccount + 1;
        var hostile = new string('a', 100_000) + "@example.com";
        for (var i = 0; i < 3 * PerAddress; i++)
        {
            var attempt = await SignInAsync(attacker, $"{i}{hostile}");
            if (attempt.Status == HttpStatusCode.TooManyRequests)
            {
                Assert.Contains("address", (string?)attempt.Error!["message"], StringComparison.Ordinal);
                Assert.NotNull(attempt.RetryAfter);
                continue;
            }

            Assert.Equal(HttpStatusCode.Unauthorized, attempt.Status);
            answered++;
        }

        Assert.Equal(PerAddress, answered);

        // Another address still signs in (an unknown account is refused as usual), and the server serves everyone else.
        Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAsync(bystander, "someone@example.com")).Status);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"api/devices?{DeviceApi.Version}")).StatusCode);

        // The audit log holds one entry per answered failure, each bounded, none with the password.
        var page = await admin.GetAsync($"api/auditLogs?maxpagesize=1000&{DeviceApi.Version}");
        var text = await page.Content.ReadAsStringAsync();
        var failures = JsonNode.Parse(text)!["value"]!.AsArray().Where(e => (string?)e!["messageType"] == "signInFailed").ToList();
        Assert.Equal(PerAccount + (PerAddress - PerAccount - 1) + 1, failures.Count);
        Assert.All(failures, e => Assert.True(((string)e!["actor"]!["id"]!).Length <= 256));
        Assert.True(text.Length < 64 * 1024, $"{text.Length} characters of audit entries");
        Assert.DoesNotContain(Password, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_spent_allowance_refills_after_its_window()
    {
        await using var server = await CentrumServer.StartAsync(new Dictionary<string, string>
        {
            ["Centrum:Identity:SignIn:AttemptsPerAccount"] = "1",
            ["Centrum:Identity:SignIn:Window"] = "00:00:01",
        });
        using var client = From(server, LoopbackAddresses.Next());
        Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAsync(client, "patient@example.com")).Status);
        var refused = await SignInAsync(client, "patient@example.com");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);
        Assert.Equal(1, refused.RetryAfter);

        // Retry-After said one second: waiting on the answer itself, the next attempt is answered again.
        await Wait.UntilAsync(async () => (await SignInAsync(client, "patient@example.com")).Status == HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(10), "the allowance to refill");
    }

    private static async Task<(HttpStatusCode Status, JsonObject? Error, int? RetryAfter)> SignInAsync(HttpClient client, string email)
    {
        using var response = await client.PostAsync("account/signin", CentrumServer.Json(new JsonObject
        {
            ["email"] = email, ["password"] = Password, ["application"] = "default",
        }.ToJsonString()));
        var text = await response.Content.ReadAsStringAsync();
        var error = text.Length > 0 ? JsonNode.Parse(text)?["error"]?.AsObject() : null;
        return (response.StatusCode, error, (int?)response.Headers.RetryAfter?.Delta?.TotalSeconds);
    }

    /// <summary>A client whose connections come from <paramref name="source"/>: another caller, as far as the server can tell.</summary>
    private static HttpClient From(CentrumServer server, IPAddress source)
    {
        var ca = X509Certificate2.CreateFromPem(File.ReadAllText(server.CaCertificatePath));
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, certificate, _, _) => CentrumServer.TrustedByCa(certificate, ca) },
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(source, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }
}
