using System.Net;
using System.Text.Json.Nodes;
using Centrum.IntegrationTests.Gateway;

namespace Centrum.IntegrationTests.FileUploads;

/// <summary>
/// File uploads end to end: the application's configuration through IoT Central's <c>/fileUploads</c>, and a device of
/// the Azure IoT Node.js SDK connected over MQTT uploading into Azurite (HTTPS, its real account key) through both of
/// the SDK's paths (<c>uploadToBlob</c>, and <c>getBlobSharedAccessSignature</c> + <c>@azure/storage-blob</c> +
/// <c>notifyBlobUploadStatus</c>); the files are read back from the emulator and the uploads listed through REST.
/// The refusals are IoT Hub's: no configuration, another device's id, no credentials, an oversize name, a spent budget.
/// </summary>
public sealed class FileUploadTests(SharedServer shared, TlsAzurite azurite) : IClassFixture<SharedServer>, IClassFixture<TlsAzurite>
{
    private const string Stable = "api-version=2022-07-31";
    private const string Preview = "api-version=2022-10-31-preview";

    [Fact]
    public async Task Sdk_device_over_mqtt_uploads_files_that_storage_holds_and_REST_lists()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var http = server.AdminHttp();
        await ConfigureAsync(http, "uploads");
        await azurite.Container("uploads").CreateIfNotExistsAsync();
        var key = await http.CreateDeviceAsync("uploader-1");
        var text = "first line\nsecond line\n"u8.ToArray();
        const string Pattern = "camera frame 0123456789 ";
        var image = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(Pattern, 20_000)));

        var events = await NodeDevice.RunAsync(server, new
        {
            connectionString = $"HostName={server.HubHostName};DeviceId=uploader-1;SharedAccessKey={key}",
            resolve = new { domain = CentrumServer.HostName, address = server.Address.ToString() },
            files = new object[]
            {
                new { name = "logs/today.txt", base64 = Convert.ToBase64String(text), path = "sdk" },
                new { name = "camera.bin", repeat = Pattern, times = 20_000, path = "sas" },
            },
        }, TimeSpan.FromSeconds(90), "upload-device.js", azurite.TrustedFor(server));

        Assert.True(events.Count(e => (string?)e["event"] == "uploaded") == 2, string.Join('\n', events.Select(e => e.ToJsonString())));
        var sas = events.Single(e => (string?)e["event"] == "sas");
        Assert.Equal("uploader-1/camera.bin", (string?)sas["blobName"]);
        Assert.Equal("uploads", (string?)sas["containerName"]);
        var container = azurite.Container("uploads");
        Assert.Equal(text, (await container.GetBlobClient("uploader-1/logs/today.txt").DownloadContentAsync()).Value.Content.ToArray());
        Assert.Equal(image, (await container.GetBlobClient("uploader-1/camera.bin").DownloadContentAsync()).Value.Content.ToArray());

        var listed = await http.GetJsonAsync("api/devices/uploader-1/fileUploads");
        var uploads = listed["value"]!.AsArray();
        Assert.Equal(["uploader-1/camera.bin", "uploader-1/logs/today.txt"], uploads.Select(u => (string)u!["blobName"]!).Order(StringComparer.Ordinal));
        Assert.All(uploads, u => Assert.Equal("succeeded", (string?)u!["state"]));
        Assert.Equal(201, (int?)uploads.Single(u => (string?)u!["blobName"] == "uploader-1/camera.bin")!["statusCode"]);
    }

    [Fact]
    public async Task Configuration_is_validated_masked_and_kept_across_a_patch()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var http = server.AdminHttp();
        var saved = await ConfigureAsync(http, "settings-check", "PT2H");
        Assert.DoesNotContain(TlsAzurite.AccountKey, saved.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains("AccountKey=*****", (string?)saved["connectionString"], StringComparison.Ordinal);
        Assert.Equal("devstoreaccount1", (string?)saved["account"]);
        Assert.Equal("PT2H", (string?)saved["sasTtl"]);
        Assert.Equal("succeeded", (string?)saved["state"]);
        Assert.Null(saved["readAccess"]);

        // A patch sends back the masked key: the stored key is kept, and the SAS a device gets is still signed with it.
        using var patched = await http.PatchAsync($"api/fileUploads?{Preview}", CentrumServer.Json("""{"sasTtl":"PT10M","readAccess":true}"""));
        var patchedBody = JsonNode.Parse(await patched.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.Equal("PT10M", (string?)patchedBody["sasTtl"]);
        Assert.True((bool?)patchedBody["readAccess"]);
        Assert.NotEqual((string?)saved["etag"], (string?)patchedBody["etag"]);
        var key = await http.CreateDeviceAsync("settings-device-1");
        using var started = await HttpsDeviceTests.SendAsync(server, HttpMethod.Post, "devices/settings-device-1/files", Token(server, "settings-device-1", key), """{"blobName":"a.txt"}""");
        var sas = JsonNode.Parse(await started.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.OK, started.StatusCode);
        var query = System.Web.HttpUtility.ParseQueryString((string)sas["sasToken"]!);
        Assert.Equal("b", query["sr"]);
        var expiry = DateTimeOffset.Parse(query["se"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expiry - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(8), TimeSpan.FromMinutes(11));
        var blob = azurite.Container("settings-check");
        await blob.CreateIfNotExistsAsync();
        var sasUri = new Uri($"https://{(string)sas["hostName"]!}/{(string)sas["containerName"]!}/{(string)sas["blobName"]!}{(string)sas["sasToken"]!}");
        var upload = new Azure.Storage.Blobs.BlobClient(sasUri, new Azure.Storage.Blobs.BlobClientOptions { Transport = azurite.Transport() });
        await upload.UploadAsync(BinaryData.FromString("signed with the stored key"));

        foreach (var (body, member) in new[]
        {
            ($$"""{"connectionString":"{{Escape(azurite.ConnectionString)}}","container":"Bad_Name"}""", "container"),
            ($$"""{"connectionString":"{{Escape(azurite.ConnectionString)}}","container":"uploads","sasTtl":"PT25H"}""", "sasTtl"),
            ($$"""{"connectionString":"{{Escape(azurite.ConnectionString)}}","container":"uploads","sasTtl":"an hour"}""", "sasTtl"),
            ("""{"connectionString":"AccountName=x;AccountKey=not base64!","container":"uploads"}""", "connectionString"),
            ("""{"connectionString":"just text","container":"uploads"}""", "connectionString"),
            ("""{"container":"uploads"}""", "connectionString"),
            ($$"""{"connectionString":"{{Escape(azurite.ConnectionString)}}","container":"uploads","color":"red"}""", "color"),
        })
        {
            using var refused = await http.PutAsync($"api/fileUploads?{Stable}", CentrumServer.Json(body));
            var error = await refused.Content.ReadAsStringAsync();
            Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{body}: {(int)refused.StatusCode} {error}");
            Assert.Contains(member, error, StringComparison.Ordinal);
            Assert.NotNull(JsonNode.Parse(error)!["error"]!["code"]);
        }

        using var deleted = await http.DeleteAsync($"api/fileUploads?{Stable}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await http.GetAsync($"api/fileUploads?{Stable}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task Device_calls_are_refused_as_IoT_Hub_refuses_them()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var http = server.AdminHttp();
        var key = await http.CreateDeviceAsync("refused-1");
        var otherKey = await http.CreateDeviceAsync("refused-2");
        var token = Token(server, "refused-1", key);
        using (await http.DeleteAsync($"api/fileUploads?{Stable}"))
        {
        }

        await AssertRefusedAsync(server, "devices/refused-1/files", token, """{"blobName":"a.txt"}""", HttpStatusCode.BadRequest, "InvalidStorageEndpointOrBlob");
        await ConfigureAsync(http, "refusals");
        // Another device's path with this device's token, and no credentials at all.
        await AssertRefusedAsync(server, "devices/refused-2/files", token, """{"blobName":"a.txt"}""", HttpStatusCode.Unauthorized, "IotHubUnauthorizedAccess");
        await AssertRefusedAsync(server, "devices/refused-1/files", "", """{"blobName":"a.txt"}""", HttpStatusCode.Unauthorized, "IotHubUnauthorizedAccess");
        await AssertRefusedAsync(server, "devices/refused-1/files", token, $$"""{"blobName":"{{new string('n', 1020)}}"}""", HttpStatusCode.BadRequest, "ArgumentInvalid");
        await AssertRefusedAsync(server, "devices/refused-1/files", token, """{"name":"a.txt"}""", HttpStatusCode.BadRequest, "ArgumentInvalid");

        // Another device cannot notify this device's upload; the device itself can, once.
        using var started = await HttpsDeviceTests.SendAsync(server, HttpMethod.Post, "devices/refused-1/files", token, """{"blobName":"a.txt"}""");
        var correlationId = (string)JsonNode.Parse(await started.Content.ReadAsStringAsync())!["correlationId"]!;
        var notification = $$"""{"correlationId":"{{correlationId}}","isSuccess":false,"statusCode":500,"statusDescription":"disk full"}""";
        await AssertRefusedAsync(server, "devices/refused-2/files/notifications", Token(server, "refused-2", otherKey), notification, HttpStatusCode.NotFound, "DeviceNotFound");
        using (var notified = await HttpsDeviceTests.SendAsync(server, HttpMethod.Post, "devices/refused-1/files/notifications", token, notification))
        {
            Assert.Equal(HttpStatusCode.NoContent, notified.StatusCode);
        }

        await AssertRefusedAsync(server, "devices/refused-1/files/notifications", token, notification, HttpStatusCode.Conflict, "ArgumentInvalid");

        // At most ten uploads in progress per device (IoT Hub's limit); a notified one no longer counts.
        for (var i = 0; i < 10; i++)
        {
            using var accepted = await HttpsDeviceTests.SendAsync(server, HttpMethod.Post, "devices/refused-1/files", token, $$"""{"blobName":"f{{i}}.txt"}""");
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        await AssertRefusedAsync(server, "devices/refused-1/files", token, """{"blobName":"eleven.txt"}""", HttpStatusCode.TooManyRequests, "ThrottlingException");
        var listed = await http.GetJsonAsync("api/devices/refused-1/fileUploads");
        Assert.Equal(11, listed["value"]!.AsArray().Count);
        Assert.Equal("failed", (string?)listed["value"]!.AsArray().Single(u => (string?)u!["correlationId"] == correlationId)!["state"]);
    }

    [Fact]
    public async Task Mutated_and_hostile_device_bodies_get_IoT_Hub_errors_never_a_failure()
    {
        var server = await shared.GetAsync(MetadataStore.Sqlite);
        var http = server.AdminHttp();
        await ConfigureAsync(http, "fuzzed");
        var key = await http.CreateDeviceAsync("fuzzed-1");
        var token = Token(server, "fuzzed-1", key);
        string[] tokens = ["{", "}", "[", "]", "\"", ":", ",", "null", "true", "1e999", "\\u0000", "blobName", "correlationId", "isSuccess", "statusCode"];
        string[] valid = ["""{"blobName":"a/b.txt"}""", """{"correlationId":"x","isSuccess":true,"statusCode":200,"statusDescription":"ok"}"""];
        var random = new Random(1811);
        List<string> bodies = [new string('[', 10_000), "{\"blobName\":\"" + new string('x', 20_000) + "\"}", "", "\"text\"", "[]"];
        for (var i = 0; i < 150; i++)
        {
            bodies.Add(Fuzz.Mutate(random, valid[i % 2], tokens, valid));
        }

        foreach (var body in bodies)
        {
            foreach (var path in new[] { "devices/fuzzed-1/files", "devices/fuzzed-1/files/notifications" })
            {
                using var response = await HttpsDeviceTests.SendAsync(server, HttpMethod.Post, path, token, body);
                var status = (int)response.StatusCode;
                Assert.True(status is 200 or 204 or 400 or 404 or 409 or 429, $"{path} {body}: {status}");
                if (status >= 400)
                {
                    Assert.StartsWith("ErrorCode:", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["Message"], StringComparison.Ordinal);
                }
            }
        }
    }

    private async Task<JsonNode> ConfigureAsync(HttpClient http, string container, string? sasTtl = null)
    {
        var body = new JsonObject { ["connectionString"] = azurite.ConnectionString, ["container"] = container };
        if (sasTtl is not null)
        {
            body["sasTtl"] = sasTtl;
        }

        using var response = await http.PutAsync($"api/fileUploads?{Stable}", CentrumServer.Json(body.ToJsonString()));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonNode.Parse(text)!;
    }

    private static async Task AssertRefusedAsync(CentrumServer server, string path, string token, string body, HttpStatusCode status, string code)
    {
        using var response = await HttpsDeviceTests.SendAsync(server, HttpMethod.Post, path, token, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{path}: {(int)response.StatusCode} {text}");
        Assert.StartsWith($"ErrorCode:{code};", (string?)JsonNode.Parse(text)!["Message"], StringComparison.Ordinal);
    }

    private static string Token(CentrumServer server, string deviceId, string key) => HttpsDeviceTests.DeviceToken(server.HubHostName, deviceId, key);

    private static string Escape(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
}
