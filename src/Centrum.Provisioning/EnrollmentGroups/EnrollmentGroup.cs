namespace Centrum.Provisioning.EnrollmentGroups;

/// <summary>A signing (CA) certificate slot of an X.509 enrollment group.</summary>
public sealed record SigningCertificate(string Certificate, string Thumbprint, bool Verified);

/// <summary>An enrollment group in IoT Central's shape.</summary>
public sealed record EnrollmentGroup(
    string Id, string DisplayName, bool Enabled, string Type, string AttestationType,
    string? PrimaryKey, string? SecondaryKey, SigningCertificate? Primary, SigningCertificate? Secondary, string ETag);

public sealed record EnrollmentGroupWrite(string DisplayName, bool Enabled, string Type, string AttestationType, string? PrimaryKey, string? SecondaryKey);

/// <summary>A certificate just set, with the group's new etag.</summary>
public sealed record SignedCertificate(SigningCertificate Certificate, string ETag);
