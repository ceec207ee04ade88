namespace Centrum.Storage.Entities;

/// <summary>
/// One file upload a device (or module) started through IoT Hub's HTTPS device API (<c>POST /devices/{id}/files</c>):
/// the correlation id it was given, the blob it may write, until when, and, once the device notified
/// (<c>POST /devices/{id}/files/notifications</c>), the outcome it reported.
/// </summary>
public sealed class FileUploadEntity
{
    public required string ApplicationId { get; set; }

    public required string CorrelationId { get; set; }

    public required string DeviceId { get; set; }

    public string? ModuleId { get; set; }

    /// <summary>The blob's name in the container: <c>{deviceId}/{fileName}</c>, as IoT Hub names it.</summary>
    public required string BlobName { get; set; }

    public required string Container { get; set; }

    /// <summary>When the upload started, in Unix milliseconds: SQLite compares and orders numbers, not <see cref="DateTimeOffset"/> values (EF Core's SQLite provider evaluates those on the client).</summary>
    public long CreatedUnixMs { get; set; }

    /// <summary>When the upload's SAS expires, in Unix milliseconds.</summary>
    public long ExpiresUnixMs { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public bool? IsSuccess { get; set; }

    public int? StatusCode { get; set; }

    public string? StatusDescription { get; set; }
}
