using System.Text.Json.Nodes;
using System.Net.Sockets;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging;

namespace Centrum.Export.Destinations.BlobStorage;

/// <summary>
/// IoT Central's <c>blobstorage@v1</c> destination (<c>BlobStorageV1Destination</c>, api-version 2022-10-31-preview)
/// with connection string authorization; managed identities do not exist outside Azure and are refused. Centrum adds
/// <c>format</c>: <c>json</c> (IoT Central's JSON lines, the default) or <c>parquet</c>.
/// </summary>
internal sealed class BlobStorageDestinationType(ILoggerFactory loggers, DestinationReach reach) : IDestinationType
{
    public const string TypeName = "blobstorage@v1";

    private readonly ILogger _logger = loggers.CreateLogger<BlobStorageSender>();

    public string Type => TypeName;

    /// <summary>The connection string holds both the endpoint and the key: a masked one is kept whole or replaced whole.</summary>
    public IReadOnlyList<string[]> Targets { get; } = [["authorization", "connectionString"]];

    public string? Validate(JsonObject definition)
    {
        var reader = new DefinitionReader();
        BlobStorageSettings.Parse(definition, reader);
        return reader.Error;
    }

    public JsonObject Redact(JsonObject definition) => DefinitionReader.Redact(definition, ["authorization", "connectionString"]);

    public IDestinationSender Open(JsonObject definition, DestinationContext context)
    {
        var reader = new DefinitionReader();
        var settings = BlobStorageSettings.Parse(definition, reader) ?? throw reader.Invalid(TypeName);
        var options = new BlobClientOptions();
        // The export pipeline retries whole batches with its own backoff; the SDK's retries inside each attempt would
        // multiply the waits and hide for minutes that storage is unreachable.
        options.Retry.MaxRetries = 0;
        // The storage endpoint of the connection string is reached only at addresses the reach allows (no proxy, which
        // would hide the address actually reached).
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (target, cancellationToken) =>
                new NetworkStream(await reach.ConnectAsync(target.DnsEndPoint.Host, target.DnsEndPoint.Port, cancellationToken), ownsSocket: true),
        };
        options.Transport = new HttpClientTransport(handler);
        var container = new BlobContainerClient(settings.ConnectionString, settings.ContainerName, options);
        // The sender owns the handler: its connection pool ends with the sender.
        return new BlobStorageSender(container, settings.Format, context, _logger, handler);
    }
}
