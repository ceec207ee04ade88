using System.ComponentModel.DataAnnotations;

namespace Centrum.Storage;

/// <summary>The database that holds the metadata (applications, devices, twins, templates, the event log, users).</summary>
public enum MetadataProvider
{
    /// <summary>An embedded SQLite database in the data folder (<c>centrum.db</c>): nothing to run beside the server.</summary>
    Sqlite,

    /// <summary>A PostgreSQL database named by <see cref="StorageOptions.PostgreSqlConnectionString"/>.</summary>
    PostgreSql,
}

/// <summary>Where Centrum keeps its state. Section <c>Centrum:Storage</c>.</summary>
public sealed class StorageOptions : IValidatableObject
{
    public const string Section = "Centrum:Storage";

    /// <summary>
    /// The metadata store. SQLite (the default) needs nothing beside the server; choose PostgreSQL for a database
    /// that is backed up, replicated and monitored with the rest of an operator's databases, or that several server
    /// nodes share. Telemetry (DuckDB), certificates and the key ring stay in <see cref="DataFolder"/> either way.
    /// </summary>
    public MetadataProvider Provider { get; set; } = MetadataProvider.Sqlite;

    /// <summary>
    /// The Npgsql connection string of an existing, empty or Centrum-owned PostgreSQL database, for example
    /// <c>Host=db.example.com;Database=centrum;Username=centrum;Password=…</c>; required when <see cref="Provider"/> is
    /// <c>PostgreSql</c>. The server creates its tables on first start. Give the password through an environment
    /// variable (<c>Centrum__Storage__PostgreSqlConnectionString</c>), not a file.
    /// </summary>
    public string? PostgreSqlConnectionString { get; set; }

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
        if (Provider == MetadataProvider.PostgreSql && string.IsNullOrWhiteSpace(PostgreSqlConnectionString))
        {
            yield return new ValidationResult(
                $"required when {Section}:Provider is PostgreSql (an Npgsql connection string).", [nameof(PostgreSqlConnectionString)]);
        }

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
