using System.Text;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Centrum.Export.Destinations;
using Centrum.Export.Destinations.BlobStorage;
using Centrum.Export.Tests.Destinations.Infrastructure;
using DuckDB.NET.Data;
using Microsoft.Extensions.Logging.Abstractions;

namespace Centrum.Export.Tests.Destinations;

/// <summary>blobstorage@v1 against Azurite, the Azure Storage emulator, read back through the Azure SDK.</summary>
public sealed class BlobStorageDestinationTests(Azurite azurite) : IClassFixture<Azurite>
{
    private readonly string _container = "export-" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task A_batch_becomes_one_json_lines_blob_in_iot_centrals_layout()
    {
        var context = Batches.Context();
        var batch = new DeliveryBatch([
            new ExportedMessage(41, "d1", new DateTimeOffset(2025, 3, 7, 14, 5, 9, TimeSpan.FromHours(2)), Encoding.UTF8.GetBytes("""{"a":1}""")),
            Batches.Message(42, "d2", """{"b":"x"}"""),
            // Pretty-printed JSON must still take one line.
            Batches.Message(43, "d1", "{\n  \"c\": [1,\n 2],\n  \"s\": \"line\\nbreak\"\n}"),
        ]);

        await using (var sender = Blob().Open(Definition(azurite.ConnectionString), context))
        {
            await sender.SendAsync(batch, CancellationToken.None);
        }

        var blob = Assert.Single(await BlobNames());
        // The first message's time in UTC: 14:05 at +02:00 is 12:05.
        Assert.Equal($"{context.ApplicationId}/export-1/2025/03/07/12/05/00000000000000000041-00000000000000000043.json", blob);
        var content = await Download(blob);
        Assert.Equal("{\"a\":1}\n{\"b\":\"x\"}\n{\"c\":[1,2],\"s\":\"line\\nbreak\"}\n", content);
    }

    [Fact]
    public async Task A_batch_sent_again_overwrites_its_blob_instead_of_adding_one()
    {
        var batch = Batches.RoundRobin(100, 50, 5);

        await using (var sender = Blob().Open(Definition(azurite.ConnectionString), Batches.Context()))
        {
            await sender.SendAsync(batch, CancellationToken.None);
            await sender.SendAsync(batch, CancellationToken.None);
            await sender.SendAsync(Batches.RoundRobin(150, 10, 5), CancellationToken.None);
        }

        var names = await BlobNames();
        Assert.Equal(2, names.Count);
        var lines = (await Download(names.Single(n => n.EndsWith("00000000000000000100-00000000000000000149.json", StringComparison.Ordinal)))).Split('\n');
        Assert.Equal(51, lines.Length);
        Assert.Equal("", lines[^1]);
        Assert.Equal(batch.Messages.Select(m => Encoding.UTF8.GetString(m.Body.Span)), lines[..^1]);
    }

    [Fact]
    public async Task A_container_deleted_while_exporting_is_created_again()
    {
        await using var sender = Blob().Open(Definition(azurite.ConnectionString), Batches.Context());
        await sender.SendAsync(Batches.RoundRobin(1, 3, 1), CancellationToken.None);

        await new BlobContainerClient(azurite.ConnectionString, _container).DeleteAsync();
        await Wait.UntilAsync(async () => !(await new BlobContainerClient(azurite.ConnectionString, _container).ExistsAsync()).Value,
            TimeSpan.FromSeconds(10), "the container is gone");
        await sender.SendAsync(Batches.RoundRobin(4, 3, 1), CancellationToken.None);

        Assert.Single(await BlobNames());
    }

    [Fact]
    public async Task Parquet_format_writes_a_parquet_file_with_one_typed_row_per_message()
    {
        var definition = Definition(azurite.ConnectionString);
        definition["format"] = "parquet";
        var batch = Batches.RoundRobin(7, 25, 3);

        await using (var sender = Blob().Open(definition, Batches.Context()))
        {
            await sender.SendAsync(batch, CancellationToken.None);
        }

        var name = Assert.Single(await BlobNames());
        Assert.EndsWith("/00000000000000000007-00000000000000000031.parquet", name, StringComparison.Ordinal);
        using var folder = new TestFolder();
        var file = Path.Combine(folder.Path, "batch.parquet");
        await new BlobContainerClient(azurite.ConnectionString, _container).GetBlobClient(name).DownloadToAsync(file);

        using var db = new DuckDBConnection("Data Source=:memory:");
        db.Open();
        using var command = db.CreateCommand();
        command.CommandText = $"SELECT sequence, device_id, enqueued_time, body, typeof(enqueued_time), typeof(body) FROM read_parquet('{file}') ORDER BY sequence";
        using var reader = command.ExecuteReader();
        var i = 0;
        while (reader.Read())
        {
            var expected = batch.Messages[i++];
            Assert.Equal(expected.Sequence, reader.GetInt64(0));
            Assert.Equal(expected.DeviceId, reader.GetString(1));
            Assert.Equal(expected.EnqueuedTime, new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(2), DateTimeKind.Utc)));
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected.Body.Span), JsonNode.Parse(reader.GetString(3))));
            Assert.Equal("TIMESTAMP WITH TIME ZONE", reader.GetString(4));
            Assert.Equal("JSON", reader.GetString(5));
        }

        Assert.Equal(25, i);
    }

    [Fact]
    public async Task A_wrong_account_key_fails_permanently()
    {
        var wrongKey = Convert.ToBase64String(Encoding.ASCII.GetBytes("not the key of devstoreaccount1, not at all"));

        await using var sender = Blob().Open(Definition(azurite.ConnectionStringWith(wrongKey)), Batches.Context());
        var failure = await Assert.ThrowsAsync<DestinationException>(() => sender.SendAsync(Batches.RoundRobin(1, 2, 1), CancellationToken.None));

        Assert.True(failure.Permanent);
        Assert.Contains("403", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrongKey, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreachable_storage_is_transient()
    {
        var closed = $"DefaultEndpointsProtocol=http;AccountName={Azurite.AccountName};AccountKey={Azurite.AccountKey};BlobEndpoint=http://127.0.0.1:{ChildProcess.FreePort()}/{Azurite.AccountName};";

        await using var sender = Blob().Open(Definition(closed), Batches.Context());
        var failure = await Assert.ThrowsAsync<DestinationException>(() => sender.SendAsync(Batches.RoundRobin(1, 2, 1), CancellationToken.None));

        Assert.False(failure.Permanent);
        Assert.DoesNotContain(Azurite.AccountKey, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_connection_string_is_refused_by_validate()
    {
        var problem = Blob().Validate(Definition("this is not a connection string"));

        Assert.NotNull(problem);
        Assert.Contains("authorization.connectionString", problem, StringComparison.Ordinal);
    }

    private static BlobStorageDestinationType Blob() => new(NullLoggerFactory.Instance, LocalReach.Allowed);

    private JsonObject Definition(string connectionString) => new()
    {
        ["displayName"] = "Archive",
        ["type"] = "blobstorage@v1",
        ["authorization"] = new JsonObject
        {
            ["type"] = "connectionString",
            ["connectionString"] = connectionString,
            ["containerName"] = _container,
        },
    };

    private async Task<List<string>> BlobNames()
    {
        var names = new List<string>();
        await foreach (var blob in new BlobContainerClient(azurite.ConnectionString, _container).GetBlobsAsync())
        {
            names.Add(blob.Name);
        }

        return names;
    }

    private async Task<string> Download(string name)
    {
        var content = await new BlobContainerClient(azurite.ConnectionString, _container).GetBlobClient(name).DownloadContentAsync();
        return content.Value.Content.ToString();
    }
}
