using System.ComponentModel.DataAnnotations;

namespace Centrum.Storage;

/// <summary>Where Centrum keeps its state. Section <c>Centrum:Storage</c>.</summary>
public sealed class StorageOptions
{
    public const string Section = "Centrum:Storage";

    /// <summary>
    /// The data folder: metadata database, telemetry databases, certificates and the key ring. Back it up by stopping
    /// the server and copying the folder. Change it to put data on a dedicated volume.
    /// </summary>
    [Required]
    public string DataFolder { get; set; } = "data";

    public string FullDataFolder => Path.GetFullPath(DataFolder);

    public string MetadataDatabasePath => Path.Combine(FullDataFolder, "centrum.db");

    public string KeyRingFolder => Path.Combine(FullDataFolder, "keys");

    public string CertificatesFolder => Path.Combine(FullDataFolder, "certificates");

    public string ApplicationFolder(string applicationId) => Path.Combine(FullDataFolder, "applications", applicationId);
}
