using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Centrum.Export.Destinations.Internal;
using Microsoft.Extensions.Logging;

namespace Centrum.Export.Destinations.BlobStorage;

/// <summary>
/// Writes each batch as one blob in IoT Central's layout,
/// <c>{applicationId}/{exportId}/{YYYY}/{MM}/{dd}/{HH}/{mm}/{first sequence}-{last sequence}.json</c>, with the time of
/// the batch's first message (UTC). The name depends only on the batch, so a batch sent again after a failure
/// overwrites its own blob rather than adding a second copy.
/// </summary>
internal sealed class BlobStorageSender(BlobContainerClient container, BlobFormat format, DestinationContext context, ILogger logger, IDisposable? transport = null) : IDestinationSender
{
    private readonly ParquetBatchWriter? _parquet = format == BlobFormat.Parquet ? new ParquetBatchWriter() : null;
    private bool _containerChecked;

    public async Task SendAsync(DeliveryBatch batch, CancellationToken cancellationToken)
    {
        if (batch.Messages.Count == 0)
        {
            return;
        }

        var name = BlobName(context, batch, format);
        try
        {
            if (!_containerChecked)
            {
                await CreateContainerAsync(cancellationToken);
                _containerChecked = true;
            }

            try
            {
                await UploadAsync(name, batch, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.ContainerNotFound)
            {
                // Deleted since this sender checked it: create it again rather than fail until a restart.
                await CreateContainerAsync(cancellationToken);
                await UploadAsync(name, batch, cancellationToken);
            }
        }
        catch (RequestFailedException ex)
        {
            throw Failure(ex, name);
        }
        catch (AggregateException ex) when (ex.InnerExceptions is [RequestFailedException inner])
        {
            throw Failure(inner, name);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DestinationException($"Azure Storage did not answer in time writing blob '{name}' to container '{container.Name}'.", inner: ex);
        }
    }

    public ValueTask DisposeAsync()
    {
        _parquet?.Dispose();
        transport?.Dispose();
        return ValueTask.CompletedTask;
    }

    internal static string BlobName(DestinationContext context, DeliveryBatch batch, BlobFormat format)
    {
        var time = batch.Messages[0].EnqueuedTime.UtcDateTime;
        var extension = format == BlobFormat.Parquet ? "parquet" : "json";
        return string.Create(CultureInfo.InvariantCulture,
            $"{context.ApplicationId}/{context.ExportId}/{time:yyyy}/{time:MM}/{time:dd}/{time:HH}/{time:mm}/{batch.FirstSequence:D20}-{batch.LastSequence:D20}.{extension}");
    }

    /// <summary>One message per line, each line ending in <c>\n</c> (JSON Lines), as IoT Central writes its blobs.</summary>
    internal static BinaryData JsonLines(IReadOnlyList<ExportedMessage> messages)
    {
        var output = new MemoryStream();
        foreach (var message in messages)
        {
            var body = message.Body.Span;
            if (body.IndexOfAny((byte)'\n', (byte)'\r') < 0)
            {
                output.Write(body);
            }
            else
            {
                // A line break in valid JSON is whitespace between tokens (inside strings it must be escaped), so
                // writing the document compactly keeps its meaning and keeps it on one line.
                using var document = JsonDocument.Parse(message.Body);
                using var writer = new Utf8JsonWriter(output);
                document.WriteTo(writer);
            }

            output.WriteByte((byte)'\n');
        }

        return new BinaryData(output.GetBuffer().AsMemory(0, (int)output.Length));
    }

    private async Task CreateContainerAsync(CancellationToken cancellationToken)
    {
        var created = await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        if (created is not null)
        {
            Log.ContainerCreated(logger, context.ExportId, container.Name);
        }
    }

    private async Task UploadAsync(string name, DeliveryBatch batch, CancellationToken cancellationToken)
    {
        var blob = container.GetBlobClient(name);
        if (_parquet is null)
        {
            var options = new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" } };
            await blob.UploadAsync(JsonLines(batch.Messages), options, cancellationToken);
            return;
        }

        var path = Path.Combine(Path.GetTempPath(), $"centrum-export-{Guid.NewGuid():N}.parquet");
        try
        {
            _parquet.Write(batch.Messages, path);
            var options = new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "application/vnd.apache.parquet" } };
            await using var file = File.OpenRead(path);
            await blob.UploadAsync(file, options, cancellationToken);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static DestinationRefusedException? Refusal(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is DestinationRefusedException refused)
            {
                return refused;
            }
        }

        return null;
    }

    /// <summary>Throttling (429, 503 ServerBusy), timeouts and unreachable storage pass; refused credentials and bad names do not.</summary>
    private DestinationException Failure(RequestFailedException ex, string name)
    {
        if (ex.Status == 0 && Refusal(ex) is { } refused)
        {
            return new DestinationException(refused.Message, permanent: true, inner: ex);
        }

        if (ex.Status == 0)
        {
            return new DestinationException($"Azure Storage could not be reached writing blob '{name}': {ex.Message}", inner: ex);
        }

        var transient = ex.Status is 408 or 429 || ex.Status >= 500;
        var hint = ex.ErrorCode == BlobErrorCode.AuthenticationFailed.ToString() || ex.Status == 403
            ? "; check the account key or SAS of 'authorization.connectionString'"
            : "";
        return new DestinationException(
            $"Azure Storage answered {ex.Status} {ex.ErrorCode} writing blob '{name}' to container '{container.Name}'{hint}.", permanent: !transient, inner: ex);
    }
}
