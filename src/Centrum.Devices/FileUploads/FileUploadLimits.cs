namespace Centrum.Devices.FileUploads;

/// <summary>IoT Hub's file upload limits, which Centrum keeps (IoT Hub documentation, "Upload files with IoT Hub" and "IoT Hub quotas and throttling").</summary>
public static class FileUploadLimits
{
    /// <summary>"Each device is limited to 10 concurrent active file uploads at a time."</summary>
    public const int MaxPendingPerDevice = 10;

    /// <summary>The upload SAS's time to live when none is configured (IoT Hub's default, <c>PT1H</c>).</summary>
    public static readonly TimeSpan DefaultSasTtl = TimeSpan.FromHours(1);

    /// <summary>The shortest time to live IoT Hub accepts for the upload SAS (its <c>sasTtlAsIso8601</c>: one minute to 24 hours).</summary>
    public static readonly TimeSpan MinSasTtl = TimeSpan.FromMinutes(1);

    /// <summary>The longest time to live IoT Hub accepts for the upload SAS.</summary>
    public static readonly TimeSpan MaxSasTtl = TimeSpan.FromHours(24);

    /// <summary>Azure Blob Storage's longest blob name ("Naming and referencing containers, blobs, and metadata"): the device id, <c>/</c> and the file name together.</summary>
    public const int MaxBlobNameLength = 1024;

    /// <summary>A notification's status description is kept up to this many characters.</summary>
    public const int MaxStatusDescriptionLength = 1024;

    /// <summary>The uploads a device's list shows, newest first.</summary>
    public const int MaxListed = 100;
}
