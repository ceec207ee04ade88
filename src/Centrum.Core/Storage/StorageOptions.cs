using System.ComponentModel.DataAnnotations;

namespace Centrum.Storage;

/// <summary>Where Centrum keeps its state. Section <c>Centrum:Storage</c>.</summary>
public sealed class StorageOptions : IValidatableObject
{
    public const string Section = "Centrum:Storage";

    /// <summary>
    /// The data folder: metadata database, telemetry databases, certificates and the key ring. Back it up by stopping
    /// the server and copying the folder. Change it to put data on a dedicated volume.
    /// </summary>
    [Required]
    public string DataFolder { get; set; } = "data";

    /// <summary>
    /// A PKCS#12 file whose certificate encrypts the Data Protection key ring at rest. Without it the keys that encrypt
    /// device keys, enrollment keys, token keys and destination secrets lie in the data folder unencrypted, protected by
    /// file permissions only; with it, a copy of the data folder alone reveals no secret. Keep the file (and its
    /// password) off the data volume: it is needed to start the server.
    /// </summary>
    public string? KeyRingCertificatePath { get; set; }

    /// <summary>The password of <see cref="KeyRingCertificatePath"/>, if it has one (prefer an environment variable to a file).</summary>
    public string? KeyRingCertificatePassword { get; set; }

    public string FullDataFolder => Path.GetFullPath(DataFolder);

    public string MetadataDatabasePath => Path.Combine(FullDataFolder, "centrum.db");

    public string KeyRingFolder => Path.Combine(FullDataFolder, "keys");

    public string CertificatesFolder => Path.Combine(FullDataFolder, "certificates");

    public string ApplicationFolder(string applicationId) => Path.Combine(FullDataFolder, "applications", applicationId);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(DataFolder) || DataFolder.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            yield return new($"'{DataFolder}' is not a folder path.", [nameof(DataFolder)]);
        }

        // Starting without it would start a new key ring and make every stored secret unreadable.
        if (KeyRingCertificatePath is { Length: > 0 } certificate && !File.Exists(certificate))
        {
            yield return new($"The key ring certificate '{certificate}' does not exist.", [nameof(KeyRingCertificatePath)]);
        }
    }
}
