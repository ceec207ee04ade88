namespace Centrum.Jobs;

/// <summary>The bounds a job definition is held to, each with where it comes from.</summary>
public static class JobLimits
{
    /// <summary>IoT Central's <c>jobId</c> and <c>scheduledJobId</c>: at most 255 characters of <c>[a-zA-Z0-9_-]</c> (REST API swagger).</summary>
    public const int MaxIdLength = 255;

    /// <summary>Characters of a display name or description, as for device groups: bounding what is stored.</summary>
    public const int MaxTextLength = 1024;

    /// <summary>
    /// Entries in a job's <c>data</c>: IoT Central's job editor adds one entry per property or command of the chosen
    /// template; a template declares far fewer capabilities than this.
    /// </summary>
    public const int MaxDataEntries = 100;

    /// <summary>Devices an explicit target list names: each is checked against the caller's reach when the job is made, and the list is kept in the job.</summary>
    public const int MaxExplicitDevices = 10_000;

    /// <summary>How long a device is waited for when no connection timeout is given.</summary>
    public static readonly TimeSpan DefaultConnectionTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The longest a device is waited for: a job holds one of its application's running slots meanwhile.</summary>
    public static readonly TimeSpan MaxConnectionTimeout = TimeSpan.FromHours(1);

    /// <summary>The highest rollout rate accepted, far above what one server acts on.</summary>
    public const int MaxDevicesPerMinute = 1_000_000;

    /// <summary>The largest rollout increment factor (AWS IoT jobs accept 1.1 to 5).</summary>
    public const double MaxIncrementFactor = 5;

    internal static bool IsValidId(string id) =>
        id.Length is > 0 and <= MaxIdLength && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
