namespace Centrum.Devices.FileUploads;

/// <summary>
/// An application's file upload configuration as callers see it (IoT Central REST API, <c>FileUpload</c>): the
/// connection string with its account key masked, as IoT Central shows it.
/// </summary>
public sealed record FileUploadSettings(string Account, string MaskedConnectionString, string Container, TimeSpan SasTtl, bool ReadAccess, string ETag)
{
    /// <summary>Centrum applies a configuration when it is written, so its state is always IoT Central's <c>succeeded</c>.</summary>
    public const string Succeeded = "succeeded";
}

/// <summary>A configuration to write: <paramref name="SasTtl"/> is the ISO 8601 duration as sent, null for the default.</summary>
public sealed record FileUploadSettingsWrite(string? Account, string ConnectionString, string Container, string? SasTtl, bool ReadAccess);

/// <summary>What a device gets back when it starts an upload (IoT Hub REST reference, "Device - Create File Upload Sas Uri").</summary>
public sealed record FileUploadSas(string CorrelationId, string HostName, string ContainerName, string BlobName, string SasToken);

/// <summary>One upload of a device, listed with its outcome once the device notified.</summary>
public sealed record FileUploadRecord(
    string CorrelationId, string DeviceId, string? ModuleId, string Container, string BlobName, DateTimeOffset Created, DateTimeOffset Expires,
    DateTimeOffset? Completed, bool? IsSuccess, int? StatusCode, string? StatusDescription);
