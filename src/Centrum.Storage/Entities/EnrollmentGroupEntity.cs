namespace Centrum.Storage.Entities;

/// <summary>An enrollment group: devices provision with keys derived from its key, or with certificates its CA signed.</summary>
public sealed class EnrollmentGroupEntity
{
    public required string ApplicationId { get; set; }

    public required string Id { get; set; }

    public required string DisplayName { get; set; }

    public bool Enabled { get; set; } = true;

    /// <summary><c>iot</c> or <c>iotEdge</c>.</summary>
    public required string Type { get; set; }

    /// <summary><c>symmetricKey</c> or <c>x509</c>.</summary>
    public required string AttestationType { get; set; }

    public string? PrimaryKeyProtected { get; set; }

    public string? SecondaryKeyProtected { get; set; }

    /// <summary>Signing certificate slots (DER, base64) with their proof-of-possession state.</summary>
    public string? PrimaryCertificate { get; set; }

    public bool PrimaryVerified { get; set; }

    public string? PrimaryVerificationCode { get; set; }

    public string? SecondaryCertificate { get; set; }

    public bool SecondaryVerified { get; set; }

    public string? SecondaryVerificationCode { get; set; }

    public required string ETag { get; set; }
}
