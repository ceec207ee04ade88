using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Azurite = Centrum.Export.Tests.Destinations.Infrastructure.Azurite;
using NatsServer = Centrum.Export.Tests.Destinations.Infrastructure.NatsServer;

namespace Centrum.IntegrationTests.Export;

/// <summary>
/// Exports through the real server into Azure Blob Storage (Azurite, read back with the Azure Blob SDK) and NATS
/// JetStream (nats-server, read back with NATS.Net), with filters, enrichments and transforms applied.
/// </summary>
public sealed class ExportDestinationsTests
{
    [Fact]
    public async Task Telemetry_lands_in_blob_storage_and_properties_and_lifecycle_in_a_jetstream_stream()
    {
        var azurite = new Azurite();
        await azurite.InitializeAsync();
        await using var nats = await NatsServer.StartAsync();
        await using var server = await CentrumServer.StartAsync();
        try
        {
            var http = server.AdminHttp();
            await ExportTests.CreateTemplateAsync(http);
            var key = await http.CreateDeviceAsync("boiler-1", $$"""{"displayName":"Boiler room","template":"{{ExportTests.Model}}"}""");

            await using var admin = new NatsConnection(new NatsOpts { Url = nats.Url });
            await new NatsJSContext(admin).CreateStreamAsync(new StreamConfig("CENTRUM", ["centrum.>"]));

            await ExportTests.PutAsync(http, "dataExport/destinations/lake", new JsonObject
            {
                ["displayName"] = "Lake",
                ["type"] = "blobstorage@v1",
                ["authorization"] = new JsonObject { ["type"] = "connectionString", ["connectionString"] = azurite.ConnectionString, ["containerName"] = "exports" },
            }.ToJsonString());
            var lake = await ExportTests.GetAsync(http, "dataExport/destinations/lake");
            Assert.Equal("*****", (string?)lake["authorization"]!["connectionString"]);
            await ExportTests.PutAsync(http, "dataExport/destinations/stream", $$"""{"displayName":"Stream","type":"nats@v1","url":"{{nats.Url}}","subject":"centrum.{source}.{deviceId}"}""");
            await ExportTests.PutAsync(http, "dataExport/exports/warm", $$$"""
                {"displayName":"Warm","enabled":true,"source":"telemetry","filter":"SELECT * FROM devices WHERE temperature >= 21",
                 "enrichments":{"room":{"path":"$displayName"}},
                 "destinations":[{"id":"lake","transform":"{id: .deviceId, t: .telemetry.temperature, room: .enrichments.room}"}]}
                """);
            await ExportTests.PutAsync(http, "dataExport/exports/props", """{"displayName":"Props","enabled":true,"source":"properties","enrichments":{"site":{"value":"plant-7"}},"destinations":[{"id":"stream"}]}""");
            await ExportTests.PutAsync(http, "dataExport/exports/life", """{"displayName":"Life","enabled":true,"source":"deviceLifecycle","destinations":[{"id":"stream","transform":"{type: .messageType, device: .deviceId}"}]}""");

            await using (var device = NodeDevice.Start(server, new
            {
                connectionString = NodeDevice.ConnectionString(server, "boiler-1", key),
                transport = "mqtt",
                action = "device",
                twin = true,
                reports = new object[] { new { serialNumber = "SN-9" } },
                messages = new object[]
                {
                    new { body = new { temperature = 20.0 }, contentType = "application/json", contentEncoding = "utf-8" },
                    new { body = new { temperature = 21.0 }, contentType = "application/json", contentEncoding = "utf-8" },
                    new { body = new { temperature = 23.5 }, contentType = "application/json", contentEncoding = "utf-8" },
                },
            }))
            {
                await device.WaitForEventAsync("ready", TimeSpan.FromSeconds(60));
            }

            await http.CreateDeviceAsync("boiler-2");
            Assert.Equal(HttpStatusCode.OK, (await http.PatchAsync($"api/devices/boiler-2?{DeviceApi.Version}", CentrumServer.Json("""{"enabled":false}"""))).StatusCode);

            // Blob storage: JSON lines under the export's folder, transformed and enriched.
            var container = new BlobContainerClient(azurite.ConnectionString, "exports");
            var lines = new List<JsonObject>();
            await Wait.UntilAsync(async () =>
            {
                lines.Clear();
                if (!await container.ExistsAsync())
                {
                    return false;
                }

                await foreach (var blob in container.GetBlobsAsync())
                {
                    Assert.Contains("/warm/", blob.Name, StringComparison.Ordinal);
                    Assert.EndsWith(".json", blob.Name, StringComparison.Ordinal);
                    var content = (await container.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToString();
                    lines.AddRange(content.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()));
                }

                return lines.Count >= 2;
            }, TimeSpan.FromSeconds(30), "warm readings in blob storage");
            Assert.Equal([21.0, 23.5], lines.Select(l => (double)l["t"]!).Order());
            Assert.All(lines, l => Assert.Equal("Boiler room", (string?)l["room"]));
            Assert.All(lines, l => Assert.Equal("boiler-1", (string?)l["id"]));

            // JetStream: the property change with its enrichment, and lifecycle messages as transformed.
            var received = new List<(string Subject, JsonObject Body)>();
            await Wait.UntilAsync(async () =>
            {
                received = await ReadAsync(admin);
                return received.Any(r => r.Subject == "centrum.properties.boiler-1")
                    && received.Any(r => (string?)r.Body["type"] == "registered")
                    && received.Any(r => (string?)r.Body["type"] == "disabled");
            }, TimeSpan.FromSeconds(30), "property and lifecycle messages in the stream");
            var property = received.Single(r => r.Subject == "centrum.properties.boiler-1").Body;
            Assert.Equal("devicePropertyReportedChange", (string?)property["messageType"]);
            Assert.Equal("SN-9", (string?)property["properties"]![0]!["value"]);
            Assert.Equal("plant-7", (string?)property["enrichments"]!["site"]);
            Assert.Contains(received, r => r.Subject == "centrum.deviceLifecycle.boiler-2" && (string?)r.Body["type"] == "registered");
            Assert.Contains(received, r => r.Subject == "centrum.deviceLifecycle.boiler-2" && (string?)r.Body["type"] == "disabled");
            Assert.Equal("healthy", (string?)(await ExportTests.GetAsync(http, "dataExport/exports/life"))["status"]);
        }
        finally
        {
            await azurite.DisposeAsync();
        }
    }

    private static async Task<List<(string Subject, JsonObject Body)>> ReadAsync(NatsConnection connection)
    {
        var js = new NatsJSContext(connection);
        var stream = await js.GetStreamAsync("CENTRUM");
        var count = stream.Info.State.Messages;
        var messages = new List<(string, JsonObject)>();
        if (count == 0)
        {
            return messages;
        }

        var consumer = await js.CreateOrderedConsumerAsync("CENTRUM");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await foreach (var message in consumer.ConsumeAsync<byte[]>(cancellationToken: timeout.Token))
        {
            messages.Add((message.Subject, JsonNode.Parse(Encoding.UTF8.GetString(message.Data!))!.AsObject()));
            if (messages.Count == count)
            {
                break;
            }
        }

        return messages;
    }
}
