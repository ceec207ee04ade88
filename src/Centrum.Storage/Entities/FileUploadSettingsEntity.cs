namespace Centrum.Storage.Entities;

/// <summary>
/// An application's file upload configuration (IoT Central REST API 2022-07-31 and 2022-10-31-preview, <c>FileUpload</c>,
/// one per application at <c>/fileUploads</c>): the storage account devices upload to, its connection string protected at
/// rest, the container, how long a device's upload SAS lives, and whether operators may read the files.
/// </summary>
public sealed class FileUploadSettingsEntity
{
    public required string ApplicationId { get; set; }

    /// <summary>The account name as the caller gave it (IoT Central shows it as given), or the connection string's.</summary>
    public required string Account { get; set; }

    /// <summary>The Azure Storage connection string, protected with <c>ISecretProtector</c>.</summary>
    public required string ProtectedConnectionString { get; set; }

    public required string Container { get; set; }

    /// <summary>The upload SAS's time to live, in seconds.</summary>
    public int SasTtlSeconds { get; set; }

    public bool ReadAccess { get; set; }

    public required string ETag { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
