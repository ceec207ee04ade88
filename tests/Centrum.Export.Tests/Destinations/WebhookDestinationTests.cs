using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Centrum.Export.Destinations;
using Centrum.Export.Destinations.Webhook;
using Centrum.Export.Tests.Destinations.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace Centrum.Export.Tests.Destinations;

/// <summary>webhook@v1 against a real HTTP receiver (Kestrel on loopback).</summary>
public sealed class WebhookDestinationTests : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task Each_message_is_posted_as_its_own_json_request_with_customizations_and_header_authorization()
    {
        var definition = Definition(_receiver.HookUrl + "?fixed=1");
        definition["queryCustomizations"] = new JsonObject
        {
            ["code"] = new JsonObject { ["value"] = "s3cr3t&=", ["secret"] = true },
            ["region"] = new JsonObject { ["value"] = "eu west", ["secret"] = false },
        };
        definition["headerCustomizations"] = new JsonObject { ["x-team"] = new JsonObject { ["value"] = "ops", ["secret"] = false } };
        definition["authorization"] = new JsonObject { ["type"] = "header", ["value"] = "SharedAccessSignature sr=abc&sig=def" };
        var batch = new DeliveryBatch([
            Batches.Message(10, "d1", """{"a":1}"""),
            Batches.Message(11, "d2", """{"b":"ü"}"""),
            Batches.Message(12, "d1", """{"c":[1,2]}"""),
        ]);

        await using (var sender = Webhook().Open(definition, Batches.Context()))
        {
            await sender.SendAsync(batch, CancellationToken.None);
        }

        var received = _receiver.Deliveries.ToArray();
        Assert.Equal(3, received.Length);
        Assert.Equal(
            batch.Messages.Select(m => Encoding.UTF8.GetString(m.Body.Span)).Order(),
            received.Select(r => Encoding.UTF8.GetString(r.Body)).Order());
        foreach (var request in received)
        {
            Assert.Equal("/hook", request.Path);
            var query = QueryHelpers(request.Query);
            Assert.Equal("1", query["fixed"]);
            Assert.Equal("s3cr3t&=", query["code"]);
            Assert.Equal("eu west", query["region"]);
            Assert.Equal("ops", request.Header("x-team"));
            Assert.Equal("SharedAccessSignature sr=abc&sig=def", request.Header("Authorization"));
            Assert.Equal("application/json", request.Header("Content-Type"));
            Assert.Null(request.Header(WebhookSignature.SignatureHeader));
        }
    }

    [Fact]
    public async Task Signed_requests_carry_a_timestamp_and_an_hmac_the_receiver_can_verify()
    {
        const string Secret = "a-signing-secret-of-32-characters";
        var definition = Definition(_receiver.HookUrl.ToString());
        definition["signingSecret"] = Secret;
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        await using (var sender = Webhook().Open(definition, Batches.Context()))
        {
            await sender.SendAsync(Batches.RoundRobin(1, 5, 2), CancellationToken.None);
        }

        var after = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.Equal(5, _receiver.Deliveries.Count);
        foreach (var request in _receiver.Deliveries)
        {
            // Verified as a receiver would, without Centrum's code: HMAC-SHA256 over "<timestamp>.<body>".
            var timestamp = request.Header("x-centrum-timestamp");
            Assert.NotNull(timestamp);
            Assert.InRange(long.Parse(timestamp, CultureInfo.InvariantCulture), before, after);
            var signed = Encoding.ASCII.GetBytes(timestamp + ".").Concat(request.Body).ToArray();
            var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), signed));
            Assert.Equal(expected, request.Header("x-centrum-signature"));
        }
    }

    [Fact]
    public async Task OAuth_token_is_fetched_with_client_credentials_once_and_reused_across_batches()
    {
        _receiver.AcceptedTokens = new();
        var definition = Definition(_receiver.HookUrl.ToString());
        definition["authorization"] = OAuth(audience: "https://receiver.example", scope: "export.write");

        await using (var sender = Webhook().Open(definition, Batches.Context()))
        {
            await sender.SendAsync(Batches.RoundRobin(1, 40, 8), CancellationToken.None);
            await sender.SendAsync(Batches.RoundRobin(41, 40, 8), CancellationToken.None);
        }

        Assert.Equal(80, _receiver.Deliveries.Count);
        Assert.All(_receiver.Deliveries, r => Assert.Equal("Bearer token-1", r.Header("Authorization")));
        var tokenRequest = Assert.Single(_receiver.TokenRequests);
        Assert.StartsWith("application/x-www-form-urlencoded", tokenRequest.Header("Content-Type"), StringComparison.Ordinal);
        var form = QueryHelpers(Encoding.UTF8.GetString(tokenRequest.Body));
        Assert.Equal("client_credentials", form["grant_type"]);
        Assert.Equal("centrum", form["client_id"]);
        Assert.Equal("client-secret-value", form["client_secret"]);
        Assert.Equal("https://receiver.example", form["audience"]);
        Assert.Equal("export.write", form["scope"]);
    }

    [Fact]
    public async Task OAuth_json_request_type_sends_the_token_request_as_json()
    {
        var definition = Definition(_receiver.HookUrl.ToString());
        var oauth = OAuth();
        oauth["requestType"] = "json";
        definition["authorization"] = oauth;

        await using (var sender = Webhook().Open(definition, Batches.Context()))
        {
            await sender.SendAsync(Batches.RoundRobin(1, 3, 1), CancellationToken.None);
        }

        var tokenRequest = Assert.Single(_receiver.TokenRequests);
        Assert.StartsWith("application/json", tokenRequest.Header("Content-Type"), StringComparison.Ordinal);
        var body = JsonNode.Parse(tokenRequest.Body)!.AsObject();
        Assert.Equal("client_credentials", (string?)body["grant_type"]);
        Assert.Equal("client-secret-value", (string?)body["client_secret"]);
        Assert.Null(body["audience"]);
    }

    [Fact]
    public async Task OAuth_token_refused_with_401_is_fetched_again_and_the_message_sent_again()
    {
        _receiver.AcceptedTokens = new();
        var definition = Definition(_receiver.HookUrl.ToString());
        definition["authorization"] = OAuth();

        await using (var sender = Webhook().Open(definition, Batches.Context()))
        {
            await sender.SendAsync(Batches.RoundRobin(1, 4, 2), CancellationToken.None);

            // The receiver revokes token-1, as after a key rotation.
            _receiver.AcceptedTokens.Clear();
            await sender.SendAsync(Batches.RoundRobin(5, 20, 4), CancellationToken.None);
        }

        Assert.Equal(2, _receiver.TokenRequests.Count);
        Assert.Equal(24, _receiver.Deliveries.Count);
        Assert.All(_receiver.Deliveries.Skip(4), r => Assert.Equal("Bearer token-2", r.Header("Authorization")));
    }

    [Fact]
    public async Task OAuth_token_is_fetched_again_shortly_before_it_expires()
    {
        _receiver.Token = _receiver.Issuing(expiresIn: 600);
        var clock = new ManualClock();
        var definition = Definition(_receiver.HookUrl.ToString());
        definition["authorization"] = OAuth();

        await using (var sender = new WebhookDestinationType(clock, NullLoggerFactory.Instance, LocalReach.Allowed).Open(definition, Batches.Context()))
        {
            await sender.SendAsync(Batches.RoundRobin(1, 2, 1), CancellationToken.None);
            clock.Advance(TimeSpan.FromSeconds(530));
            await sender.SendAsync(Batches.RoundRobin(3, 2, 1), CancellationToken.None);
            clock.Advance(TimeSpan.FromSeconds(20));
            await sender.SendAsync(Batches.RoundRobin(5, 2, 1), CancellationToken.None);
        }

        // Still fresh after 530 s of 600; within the last minute after 550 s.
        Assert.Equal(2, _receiver.TokenRequests.Count);
        Assert.Equal(["Bearer token-1", "Bearer token-1", "Bearer token-1", "Bearer token-1", "Bearer token-2", "Bearer token-2"],
            _receiver.Deliveries.Select(r => r.Header("Authorization")));
    }

    [Fact]
    public async Task Token_endpoint_refusing_the_client_credentials_fails_permanently_without_showing_the_secret()
    {
        _receiver.Token = async (context, _) =>
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsJsonAsync(new { error = "invalid_client", error_description = "unknown client" });
        };
        var definition = Definition(_receiver.HookUrl.ToString());
        definition["authorization"] = OAuth();

        await using var sender = Webhook().Open(definition, Batches.Context());
        var failure = await Assert.ThrowsAsync<DestinationException>(() => sender.SendAsync(Batches.RoundRobin(1, 3, 3), CancellationToken.None));

        Assert.True(failure.Permanent);
        Assert.Contains("invalid_client", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("client-secret-value", failure.Message, StringComparison.Ordinal);
        Assert.Empty(_receiver.Deliveries);
    }

    [Fact]
    public async Task Each_device_keeps_its_order_while_devices_are_delivered_concurrently()
    {
        _receiver.Respond = async (_, _) => await Task.Delay(Random.Shared.Next(0, 4));
        var batch = Batches.RoundRobin(1000, 600, 24);

        await using (var sender = Webhook().Open(Definition(_receiver.HookUrl.ToString()), Batches.Context()))
        {
            await sender.SendAsync(batch, CancellationToken.None);
        }

        var received = _receiver.Deliveries.Select(r => JsonNode.Parse(r.Body)!).ToArray();
        Assert.Equal(600, received.Length);
        foreach (var device in received.GroupBy(m => (string)m["deviceId"]!))
        {
            var sequences = device.Select(m => (long)m["sequence"]!).ToArray();
            Assert.Equal(batch.Messages.Where(m => m.DeviceId == device.Key).Select(m => m.Sequence), sequences);
        }

        Assert.InRange(_receiver.MaxInFlight, 2, WebhookSender.MaxDevicesInFlight);
    }

    [Fact]
    public async Task Server_error_fails_the_batch_as_transient_with_the_retry_after_it_asked_for()
    {
        _receiver.Respond = (context, request) =>
        {
            if (Encoding.UTF8.GetString(request.Body).Contains("\"sequence\":7,", StringComparison.Ordinal))
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.Headers.RetryAfter = "7";
            }

            return Task.CompletedTask;
        };

        await using var sender = Webhook().Open(Definition(_receiver.HookUrl.ToString()), Batches.Context());
        var failure = await Assert.ThrowsAsync<DestinationException>(() => sender.SendAsync(Batches.RoundRobin(1, 30, 3), CancellationToken.None));

        Assert.False(failure.Permanent);
        Assert.Equal(TimeSpan.FromSeconds(7), failure.RetryAfter);
        Assert.Contains("503", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_device_that_fails_holds_back_only_its_own_messages_while_the_others_are_delivered()
    {
        // device-01's third message and everything after it is refused until the receiver recovers.
        var refusing = true;
        _receiver.Respond = (context, request) =>
        {
            var message = JsonNode.Parse(request.Body)!;
            if (Volatile.Read(ref refusing) && (string?)message["deviceId"] == "device-01" && (long)message["sequence"]! >= 10)
            {
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            }

            return Task.CompletedTask;
        };
        var batch = Batches.RoundRobin(1, 40, 4);
        await using var sender = Webhook().Open(Definition(_receiver.HookUrl.ToString()), Batches.Context());

        var failure = await Assert.ThrowsAsync<DestinationException>(() => sender.SendAsync(batch, CancellationToken.None));

        // Only device-01's stream stopped, at the refused message; every other message was accepted once.
        var held = batch.Messages.Where(m => m.DeviceId == "device-01" && m.Sequence >= 10).ToList();
        Assert.Equal(held, failure.Undelivered);
        Assert.Contains("500", failure.Message, StringComparison.Ordinal);
        var posted = _receiver.Deliveries.Select(r => (long)JsonNode.Parse(r.Body)!["sequence"]!).ToList();
        Assert.Equal(batch.Messages.Where(m => !held.Contains(m)).Select(m => m.Sequence).Append(10).Order(), posted.Order());

        // The retry of what was held back delivers it in order; nothing else is sent again.
        Volatile.Write(ref refusing, false);
        await sender.SendAsync(new DeliveryBatch(failure.Undelivered!), CancellationToken.None);
        var all = _receiver.Deliveries.Select(r => JsonNode.Parse(r.Body)!).ToList();
        Assert.Equal(41, all.Count);
        Assert.Equal(held.Select(m => m.Sequence), all.Skip(posted.Count).Select(m => (long)m["sequence"]!));
    }

    [Fact]
    public async Task A_failure_for_the_whole_receiver_starts_no_more_requests_and_holds_back_all_not_accepted()
    {
        _receiver.Respond = (context, request) =>
        {
            if ((long)JsonNode.Parse(request.Body)!["sequence"]! >= 20)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.Headers.RetryAfter = "1";
            }

            return Task.CompletedTask;
        };
        var batch = Batches.RoundRobin(1, 200, 40);
        await using var sender = Webhook().Open(Definition(_receiver.HookUrl.ToString()), Batches.Context());

        var failure = await Assert.ThrowsAsync<DestinationException>(() => sender.SendAsync(batch, CancellationToken.None));

        // Accepted: exactly the messages answered 200; held back: all the rest, in batch order, most never sent.
        var accepted = _receiver.Deliveries.Select(r => (long)JsonNode.Parse(r.Body)!["sequence"]!).Where(s => s < 20).ToHashSet();
        Assert.Equal(batch.Messages.Where(m => !accepted.Contains(m.Sequence)), failure.Undelivered);
        Assert.True(_receiver.Deliveries.Count < 100, $"{_receiver.Deliveries.Count} requests after the receiver asked to be left alone");
        Assert.Equal(TimeSpan.FromSeconds(1), failure.RetryAfter);
    }

    [Theory]
    [InlineData(408)]
    [InlineData(429)]
    [InlineData(500)]
    public async Task Answers_that_may_pass_later_are_transient(int status)
    {
        _receiver.Respond = (context, _) =>
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        };

        await using var sender = Webhook().Open(Definition(_receiver.HookUrl.ToString()), Batches.Context());
        var failure = await Assert.ThrowsAsync<DestinationException>(() => sender.SendAsync(Batches.RoundRobin(1, 2, 1), CancellationToken.None));

        Assert.False(failure.Permanent);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(301)]
    public async Task Answers_a_retry_cannot_fix_are_permanent(int status)
    {
        _receiver.Respond = (context, _) =>
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        };

        await using var sender = Webhook().Open(Definition(_receiver.HookUrl.ToString()), Batches.Context());
        var failure = await Assert.ThrowsAsync<DestinationException>(() => sender.SendAsync(Batches.RoundRobin(1, 5, 5), CancellationToken.None));

        Assert.True(failure.Permanent);
        Assert.Contains(status.ToString(CultureInfo.InvariantCulture), failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Receiver_that_does_not_answer_in_time_fails_the_batch_as_transient()
    {
        _receiver.Respond = (context, _) => Task.Delay(Timeout.Infinite, context.RequestAborted);
        var type = new WebhookDestinationType(TimeProvider.System, NullLoggerFactory.Instance, LocalReach.Allowed) { RequestTimeout = TimeSpan.FromMilliseconds(300) };

        await using var sender = type.Open(Definition(_receiver.HookUrl.ToString()), Batches.Context());
        var failure = await Assert.ThrowsAsync<DestinationException>(() => sender.SendAsync(Batches.RoundRobin(1, 2, 2), CancellationToken.None));

        Assert.False(failure.Permanent);
        Assert.Contains("did not answer", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreachable_receiver_is_transient_and_the_message_shows_no_path_or_query()
    {
        var url = $"http://127.0.0.1:{ChildProcess.FreePort()}/hooks/secret-path-token?code=secret-query";

        await using var sender = Webhook().Open(Definition(url), Batches.Context());
        var failure = await Assert.ThrowsAsync<DestinationException>(() => sender.SendAsync(Batches.RoundRobin(1, 2, 1), CancellationToken.None));

        Assert.False(failure.Permanent);
        Assert.DoesNotContain("secret", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Receiver_with_a_private_ca_is_trusted_only_through_trusted_certificate()
    {
        var (ca, server) = PrivateCa();
        await using var tls = await WebhookReceiver.StartAsync(server);
        var definition = Definition(tls.HookUrl.ToString());
        Assert.Equal("https", tls.HookUrl.Scheme);

        await using (var untrusting = Webhook().Open(definition, Batches.Context()))
        {
            var failure = await Assert.ThrowsAsync<DestinationException>(() => untrusting.SendAsync(Batches.RoundRobin(1, 1, 1), CancellationToken.None));
            Assert.False(failure.Permanent);
        }

        definition["trustedCertificate"] = ca.ExportCertificatePem();
        await using (var trusting = Webhook().Open(definition, Batches.Context()))
        {
            await trusting.SendAsync(Batches.RoundRobin(1, 3, 1), CancellationToken.None);
        }

        Assert.Equal(3, tls.Deliveries.Count);
    }

    [Fact]
    public async Task A_receiver_on_loopback_is_refused_by_default_at_connect_time_by_address_and_by_name()
    {
        var type = new WebhookDestinationType(TimeProvider.System, NullLoggerFactory.Instance, new DestinationReach(allowLocal: false, refusePrivate: false, management: null));
        var byName = new UriBuilder(_receiver.HookUrl) { Host = "localhost" }.Uri;
        foreach (var url in new[] { _receiver.HookUrl, byName })
        {
            await using var sender = type.Open(Definition(url.ToString()), Batches.Context());
            var refused = await Assert.ThrowsAsync<DestinationException>(() => sender.SendAsync(Batches.RoundRobin(1, 2, 1), CancellationToken.None));
            Assert.True(refused.Permanent, refused.Message);
            Assert.Contains("loopback", refused.Message, StringComparison.Ordinal);
        }

        // The OAuth token endpoint goes through the same check before any client secret leaves.
        var definition = Definition("https://receiver.example/hook");
        definition["authorization"] = OAuth();
        await using (var oauth = type.Open(definition, Batches.Context()))
        {
            var refused = await Assert.ThrowsAsync<DestinationException>(() => oauth.SendAsync(Batches.RoundRobin(1, 1, 1), CancellationToken.None));
            Assert.True(refused.Permanent, refused.Message);
            Assert.Contains("loopback", refused.Message, StringComparison.Ordinal);
        }

        Assert.Empty(_receiver.Deliveries);
        Assert.Empty(_receiver.TokenRequests);
    }

    private static WebhookDestinationType Webhook() => new(TimeProvider.System, NullLoggerFactory.Instance, LocalReach.Allowed);

    private static JsonObject Definition(string url) => new()
    {
        ["displayName"] = "Receiver",
        ["type"] = "webhook@v1",
        ["url"] = url,
    };

    private JsonObject OAuth(string? audience = null, string? scope = null)
    {
        var oauth = new JsonObject
        {
            ["type"] = "oauth",
            ["tokenUrl"] = _receiver.TokenUrl.ToString(),
            ["clientId"] = "centrum",
            ["clientSecret"] = "client-secret-value",
        };
        if (audience is not null)
        {
            oauth["audience"] = audience;
        }

        if (scope is not null)
        {
            oauth["scope"] = scope;
        }

        return oauth;
    }

    private static Dictionary<string, string> QueryHelpers(string query) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(query).ToDictionary(p => p.Key, p => p.Value.ToString());

    /// <summary>A CA and a server certificate for 127.0.0.1 that it issued; nothing on the machine trusts the CA.</summary>
    private static (X509Certificate2 Ca, X509Certificate2 Server) PrivateCa()
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Centrum Test Private CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var issued = serverRequest.Create(ca, now.AddHours(-1), now.AddDays(1), RandomNumberGenerator.GetBytes(8));
        using var withKey = issued.CopyWithPrivateKey(serverKey);
        // Through PKCS#12 so Kestrel gets a certificate whose key it can use on every platform.
        var server = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        return (ca, server);
    }
}
