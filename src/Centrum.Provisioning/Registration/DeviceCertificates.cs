using System.Security.Cryptography.X509Certificates;
using Centrum.Devices;
using Centrum.Provisioning.Certificates;
using Centrum.Provisioning.EnrollmentGroups;

namespace Centrum.Provisioning.Registration;

/// <summary>The outcome of checking a device certificate: who vouches for it, or why nobody does.</summary>
public readonly record struct CertificateCheck(bool Trusted, string? CredentialSource, EnrollmentGroup? Group, bool Disabled, string Reason);

/// <summary>
/// X.509 device authentication for provisioning and for the hub (IoT Hub docs "Authenticate identities with X.509 certificates"; DPS docs "X.509 certificate attestation"): the subject CN
/// must be the device id, and the certificate must either be one the device registered (by thumbprint) or chain to a
/// verified signing certificate of an X.509 enrollment group.
/// </summary>
public sealed class DeviceCertificates(EnrollmentGroupService groups)
{
    public async Task<CertificateCheck> CheckAsync(string applicationId, string deviceId, X509Certificate2 certificate, DeviceAuthentication? device, CancellationToken cancellationToken)
    {
        if (!string.Equals(CertificateText.CommonName(certificate), deviceId, StringComparison.OrdinalIgnoreCase))
        {
            return new CertificateCheck(false, null, null, false, "the certificate's subject CN is not the device id");
        }

        var now = DateTime.Now;
        if (certificate.NotBefore > now || certificate.NotAfter < now)
        {
            return new CertificateCheck(false, null, null, false, "the certificate is not valid now");
        }

        // An individual enrollment decides how its device attests (DPS: an individual enrollment's attestation mechanism
        // is the device's): a device enrolled with a symmetric key or TPM does not also get in with a group's CA.
        if (device?.AttestationType is { } individual && individual != "x509")
        {
            return new CertificateCheck(false, null, null, false, $"the device's individual enrollment uses {individual} attestation, not X.509");
        }

        if (device?.AttestationType == "x509")
        {
            var thumbprint = CertificateText.Thumbprint(certificate);
            return string.Equals(thumbprint, device.X509PrimaryThumbprint, StringComparison.OrdinalIgnoreCase)
                   || string.Equals(thumbprint, device.X509SecondaryThumbprint, StringComparison.OrdinalIgnoreCase)
                ? new CertificateCheck(true, CredentialSources.Device, null, false, "registered thumbprint")
                : new CertificateCheck(false, null, null, false, "the certificate is not the one registered for the device");
        }

        foreach (var group in await groups.ForAttestationAsync(applicationId, "x509", cancellationToken))
        {
            var anchors = new[] { group.Primary, group.Secondary }
                .Where(s => s is { Verified: true })
                .Select(s => X509CertificateLoader.LoadCertificate(Convert.FromBase64String(s!.Certificate)))
                .ToList();
            try
            {
                if (CertificateText.ChainsTo(certificate, anchors))
                {
                    return group.Enabled
                        ? new CertificateCheck(true, CredentialSources.Group(group.Id), group, false, "chains to a verified group certificate")
                        : new CertificateCheck(false, null, group, true, "the enrollment group is disabled");
                }
            }
            finally
            {
                anchors.ForEach(a => a.Dispose());
            }
        }

        return new CertificateCheck(false, null, null, false, "the certificate does not chain to a verified enrollment group certificate");
    }
}
