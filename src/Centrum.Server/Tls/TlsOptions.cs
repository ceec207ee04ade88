using System.ComponentModel.DataAnnotations;

namespace Centrum.Server.Tls;

/// <summary>Section <c>Centrum:Tls</c>. Leave both paths empty to use the certificate authority Centrum creates in its data folder.</summary>
public sealed class TlsOptions : IValidatableObject
{
    public const string Section = "Centrum:Tls";

    /// <summary>An operator-supplied server certificate: a PEM file (with <see cref="KeyPath"/>) or a PFX file.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key of <see cref="CertificatePath"/>; empty for a PFX.</summary>
    public string? KeyPath { get; set; }

    /// <summary>Password of the PFX or of an encrypted PEM key.</summary>
    public string? Password { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (CertificatePath is not { Length: > 0 })
        {
            if (KeyPath is { Length: > 0 })
            {
                yield return new("A private key without a certificate: set CertificatePath too, or neither.", [nameof(KeyPath)]);
            }

            yield break;
        }

        if (!File.Exists(CertificatePath))
        {
            yield return new($"The certificate '{CertificatePath}' does not exist.", [nameof(CertificatePath)]);
        }

        if (KeyPath is { Length: > 0 } && !File.Exists(KeyPath))
        {
            yield return new($"The private key '{KeyPath}' does not exist.", [nameof(KeyPath)]);
        }
    }
}
