using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Centrum.Devices;
using Centrum.Organizations;
using Centrum.Outcomes;
using Centrum.Provisioning.Certificates;
using Centrum.Provisioning.Internal;
using Centrum.Security;
using Centrum.Storage;
using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Centrum.Provisioning.EnrollmentGroups;

/// <summary>
/// Enrollment groups: symmetric-key groups (keys generated unless supplied, encrypted at rest) and X.509 groups with a
/// primary and secondary signing certificate, each proven by a verification code before devices may use it. Disabling
/// or deleting a group, or replacing its certificates, closes the connections it authenticated.
/// </summary>
public sealed partial class EnrollmentGroupService(IDbContextFactory<CentrumDbContext> contexts, ISecretProtector secrets, IDeviceConnections connections, ILogger<EnrollmentGroupService> logger)
{
    public const int MaxPageSize = 100;

    /// <summary>IoT Central's enrollment group ids: at most 255 characters.</summary>
    public const int MaxIdLength = 255;

    /// <summary>
    /// A group as <paramref name="reach"/> may see it: a symmetric-key group's keys derive the key of any registration id
    /// in the application (DPS "derive a device key" from a group enrollment key), so they are an application-wide
    /// secret, withheld from a caller whose reach stops at organizations.
    /// </summary>
    public async Task<EnrollmentGroup?> GetAsync(string applicationId, string id, OrganizationReach reach, CancellationToken cancellationToken) =>
        await FindAsync(applicationId, id, cancellationToken) is { } group ? Visible(group, reach) : null;

    private async Task<EnrollmentGroup?> FindAsync(string applicationId, string id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.EnrollmentGroups.AsNoTracking().FirstOrDefaultAsync(g => g.ApplicationId == applicationId && g.Id == id, cancellationToken);
        return entity is null ? null : ToModel(entity);
    }

    /// <summary>A page of groups, each as <paramref name="reach"/> may see it (<see cref="GetAsync"/>).</summary>
    public async Task<(IReadOnlyList<EnrollmentGroup> Groups, string? ContinueAfter)> ListAsync(
        string applicationId, string? after, int pageSize, OrganizationReach reach, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.EnrollmentGroups.AsNoTracking().Where(g => g.ApplicationId == applicationId);
        if (after is not null)
        {
            query = query.Where(g => string.Compare(g.Id, after) > 0);
        }

        var rows = await query.OrderBy(g => g.Id).Take(pageSize + 1).ToListAsync(cancellationToken);
        var page = rows.Take(pageSize).Select(ToModel).Select(g => Visible(g, reach)).ToList();
        return (page, rows.Count > pageSize ? page[^1].Id : null);
    }

    /// <summary>Enabled groups of one attestation type, for registration and device authentication.</summary>
    internal async Task<IReadOnlyList<EnrollmentGroup>> ForAttestationAsync(string applicationId, string attestationType, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.EnrollmentGroups.AsNoTracking()
            .Where(g => g.ApplicationId == applicationId && g.AttestationType == attestationType)
            .OrderBy(g => g.Id).ToListAsync(cancellationToken);
        return rows.Select(ToModel).ToList();
    }

    /// <summary>
    /// Creates or replaces a group. Its id, display name, type, attestation and keys must be valid; an existing
    /// group's attestation type cannot change.
    /// </summary>
    public async Task<Outcome<EnrollmentGroup>> CreateOrReplaceAsync(
        string applicationId, string id, EnrollmentGroupWrite write, OrganizationReach reach, CancellationToken cancellationToken)
    {
        if (!reach.IsWholeApplication)
        {
            return ApplicationWide;
        }

        if ((InvalidId(id) ?? Invalid(write)) is { } invalid)
        {
            Log.GroupRefused(logger, applicationId, id, invalid.Message);
            return invalid;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.EnrollmentGroups.FirstOrDefaultAsync(g => g.ApplicationId == applicationId && g.Id == id, cancellationToken);
        if (entity is not null && entity.AttestationType != write.AttestationType)
        {
            Log.GroupRefused(logger, applicationId, id, $"its attestation type is {entity.AttestationType} and cannot change");
            return AttestationFixed;
        }

        if (entity is null)
        {
            entity = new EnrollmentGroupEntity
            {
                ApplicationId = applicationId,
                Id = id,
                DisplayName = write.DisplayName,
                Type = write.Type,
                AttestationType = write.AttestationType,
                ETag = NewETag(),
            };
            db.EnrollmentGroups.Add(entity);
        }

        var revoke = Apply(entity, write);
        await db.SaveChangesAsync(cancellationToken);
        Log.GroupSaved(logger, applicationId, id, entity.Enabled, entity.AttestationType, revoke);
        if (revoke)
        {
            await RevokeAsync(applicationId, id);
        }

        return ToModel(entity);
    }

    /// <summary>
    /// Changes a group: <paramref name="patch"/> turns the current write into the new one (or refuses the request), and
    /// the result is held to the same rules as a new group.
    /// </summary>
    public async Task<Outcome<EnrollmentGroup>> UpdateAsync(
        string applicationId, string id, Func<EnrollmentGroupWrite, Outcome<EnrollmentGroupWrite>> patch, string? ifMatch, OrganizationReach reach, CancellationToken cancellationToken)
    {
        if (!reach.IsWholeApplication)
        {
            return ApplicationWide;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.EnrollmentGroups.FirstOrDefaultAsync(g => g.ApplicationId == applicationId && g.Id == id, cancellationToken);
        if (entity is null)
        {
            return NotFound(id);
        }

        if (ifMatch is not null && ifMatch != "*" && ifMatch != entity.ETag)
        {
            return Problem.PreconditionFailed("The enrollment group's etag does not match; read it again.");
        }

        var current = ToModel(entity);
        var patched = patch(new EnrollmentGroupWrite(current.DisplayName, current.Enabled, current.Type, current.AttestationType, current.PrimaryKey, current.SecondaryKey));
        var refusal = !patched.Succeeded ? patched.Problem
            : Invalid(patched.Value) ?? (patched.Value.AttestationType != entity.AttestationType ? AttestationFixed : null);
        if (refusal is not null)
        {
            Log.GroupRefused(logger, applicationId, id, refusal.Message);
            return refusal;
        }

        var revoke = Apply(entity, patched.Value!);
        await db.SaveChangesAsync(cancellationToken);
        Log.GroupSaved(logger, applicationId, id, entity.Enabled, entity.AttestationType, revoke);
        if (revoke)
        {
            await RevokeAsync(applicationId, id);
        }

        return ToModel(entity);
    }

    /// <summary>Deletes a group and closes the connections it authenticated; answers the group deleted.</summary>
    public async Task<Outcome<EnrollmentGroup>> DeleteAsync(string applicationId, string id, OrganizationReach reach, CancellationToken cancellationToken)
    {
        if (!reach.IsWholeApplication)
        {
            return ApplicationWide;
        }

        if (await FindAsync(applicationId, id, cancellationToken) is not { } existing)
        {
            return NotFound(id);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await db.EnrollmentGroups.Where(g => g.ApplicationId == applicationId && g.Id == id).ExecuteDeleteAsync(cancellationToken) == 0)
        {
            return NotFound(id);
        }

        Log.GroupDeleted(logger, applicationId, id);
        await RevokeAsync(applicationId, id);
        return existing;
    }

    public static Problem NotFound(string id) => Problem.NotFound($"Enrollment group '{id}' was not found.");

    public static Problem CertificateNotFound(string id, bool primary) =>
        Problem.NotFound($"The {Slot(primary)} certificate of enrollment group '{id}' was not found.");

    /// <summary>
    /// Enrollment groups belong to the whole application, not to an organization (IoT Central: device connection
    /// groups are application settings), so only a caller whose reach is the whole application changes them.
    /// </summary>
    private static readonly Problem ApplicationWide =
        Problem.Forbidden("Enrollment groups belong to the whole application; a role assigned within an organization cannot change them.");

    private static EnrollmentGroup Visible(EnrollmentGroup group, OrganizationReach reach) =>
        reach.IsWholeApplication ? group : group with { PrimaryKey = null, SecondaryKey = null };

    private static readonly Problem AttestationFixed = Problem.Invalid("An enrollment group's attestation type cannot change.");

    private static Problem? InvalidId(string id) =>
        id.Length > MaxIdLength || !IdRegex().IsMatch(id) ? Problem.Invalid("Enrollment group ids have at most 255 letters, digits and '-'.") : null;

    /// <summary>What is wrong with a group as written, or null: the rules of IoT Central's EnrollmentGroup schema.</summary>
    private static Problem? Invalid(EnrollmentGroupWrite write)
    {
        if (string.IsNullOrWhiteSpace(write.DisplayName))
        {
            return Problem.Invalid("Field 'displayName' is required.");
        }

        if (write.Type is not ("iot" or "iotEdge"))
        {
            return Problem.Invalid("Field 'type' must be 'iot' or 'iotEdge'.");
        }

        if (write.AttestationType is not ("symmetricKey" or "x509"))
        {
            return Problem.Invalid(write.AttestationType == "tpm"
                ? "TPM attestation is not supported; use 'symmetricKey' or 'x509'."
                : "Field 'attestation.type' must be 'symmetricKey' or 'x509'.");
        }

        return (write.PrimaryKey is not null && !SymmetricKeys.TryDecode(write.PrimaryKey, out _)) || (write.SecondaryKey is not null && !SymmetricKeys.TryDecode(write.SecondaryKey, out _))
            ? Problem.Invalid("Symmetric keys must be base64 of at least 16 bytes.")
            : null;
    }

    /// <summary>Sets one signing certificate; answers it with the group's new etag, as IoT Central's EnrollmentGroups_CreateX509 answers it.</summary>
    public async Task<Outcome<SignedCertificate>> SetCertificateAsync(
        string applicationId, string id, bool primary, string certificateText, bool verified, OrganizationReach reach, CancellationToken cancellationToken)
    {
        if (!reach.IsWholeApplication)
        {
            return ApplicationWide;
        }

        var result = await SetCertificateCoreAsync(applicationId, id, primary, certificateText, verified, cancellationToken);
        if (result.Succeeded)
        {
            Log.CertificateSet(logger, applicationId, id, Slot(primary), result.Value.Certificate.Thumbprint, result.Value.Certificate.Verified);
        }
        else if (result.Problem.Kind == ProblemKind.Invalid)
        {
            Log.GroupRefused(logger, applicationId, id, $"the {Slot(primary)} certificate is not a certificate, or the group is not an X.509 group");
        }

        return result;
    }

    private static string Slot(bool primary) => primary ? "primary" : "secondary";

    private async Task<Outcome<SignedCertificate>> SetCertificateCoreAsync(
        string applicationId, string id, bool primary, string certificateText, bool verified, CancellationToken cancellationToken)
    {
        var notCertificate = Problem.Invalid("The certificate is not a base64 or PEM X.509 certificate, or the group is not an X.509 group.");
        if (!CertificateText.TryParse(certificateText, out var certificate))
        {
            return notCertificate;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.EnrollmentGroups.FirstOrDefaultAsync(g => g.ApplicationId == applicationId && g.Id == id, cancellationToken);
        if (entity is null)
        {
            return NotFound(id);
        }

        if (entity.AttestationType != "x509")
        {
            return notCertificate;
        }

        var base64 = CertificateText.ToBase64(certificate!);
        if (primary)
        {
            entity.PrimaryCertificate = base64;
            entity.PrimaryVerified = verified;
            entity.PrimaryVerificationCode = null;
        }
        else
        {
            entity.SecondaryCertificate = base64;
            entity.SecondaryVerified = verified;
            entity.SecondaryVerificationCode = null;
        }

        entity.ETag = NewETag();
        await db.SaveChangesAsync(cancellationToken);
        await RevokeAsync(applicationId, id);
        return new SignedCertificate(new SigningCertificate(base64, CertificateText.Thumbprint(certificate!), verified), entity.ETag);
    }

    /// <summary>Empties one certificate slot and closes the connections it authenticated; answers the certificate removed.</summary>
    public async Task<Outcome<SigningCertificate>> RemoveCertificateAsync(string applicationId, string id, bool primary, OrganizationReach reach, CancellationToken cancellationToken)
    {
        if (!reach.IsWholeApplication)
        {
            return ApplicationWide;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.EnrollmentGroups.FirstOrDefaultAsync(g => g.ApplicationId == applicationId && g.Id == id, cancellationToken);
        var removed = entity is null ? null : Slot(primary ? entity.PrimaryCertificate : entity.SecondaryCertificate, primary ? entity.PrimaryVerified : entity.SecondaryVerified);
        if (entity is null || removed is null)
        {
            return CertificateNotFound(id, primary);
        }

        if (primary)
        {
            (entity.PrimaryCertificate, entity.PrimaryVerified, entity.PrimaryVerificationCode) = (null, false, null);
        }
        else
        {
            (entity.SecondaryCertificate, entity.SecondaryVerified, entity.SecondaryVerificationCode) = (null, false, null);
        }

        entity.ETag = NewETag();
        await db.SaveChangesAsync(cancellationToken);
        Log.CertificateRemoved(logger, applicationId, id, Slot(primary));
        await RevokeAsync(applicationId, id);
        return removed;
    }

    /// <summary>Issues the nonce a certificate's owner signs to prove possession of its private key.</summary>
    public async Task<Outcome<string>> GenerateVerificationCodeAsync(string applicationId, string id, bool primary, OrganizationReach reach, CancellationToken cancellationToken)
    {
        if (!reach.IsWholeApplication)
        {
            return ApplicationWide;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.EnrollmentGroups.FirstOrDefaultAsync(g => g.ApplicationId == applicationId && g.Id == id, cancellationToken);
        if (entity is null || (primary ? entity.PrimaryCertificate : entity.SecondaryCertificate) is null)
        {
            return CertificateNotFound(id, primary);
        }

        var code = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
        if (primary)
        {
            entity.PrimaryVerificationCode = code;
        }
        else
        {
            entity.SecondaryVerificationCode = code;
        }

        await db.SaveChangesAsync(cancellationToken);
        return code;
    }

    /// <summary>
    /// Proof of possession: a certificate whose subject CN is the issued code, signed by the slot's certificate,
    /// marks the slot verified. Answers the verified certificate.
    /// </summary>
    public async Task<Outcome<SigningCertificate>> VerifyAsync(string applicationId, string id, bool primary, string certificateText, OrganizationReach reach, CancellationToken cancellationToken)
    {
        if (!reach.IsWholeApplication)
        {
            return ApplicationWide;
        }

        var result = await VerifyCoreAsync(applicationId, id, primary, certificateText, cancellationToken);
        if (result.Succeeded)
        {
            Log.CertificateVerified(logger, applicationId, id, Slot(primary));
        }
        else if (result.Problem.Kind == ProblemKind.Invalid)
        {
            Log.VerificationRefused(logger, applicationId, id, Slot(primary), result.Problem.Message);
        }

        return result;
    }

    private async Task<Outcome<SigningCertificate>> VerifyCoreAsync(string applicationId, string id, bool primary, string certificateText, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.EnrollmentGroups.FirstOrDefaultAsync(g => g.ApplicationId == applicationId && g.Id == id, cancellationToken);
        var slot = primary ? entity?.PrimaryCertificate : entity?.SecondaryCertificate;
        if (entity is null || slot is null)
        {
            return CertificateNotFound(id, primary);
        }

        var code = primary ? entity.PrimaryVerificationCode : entity.SecondaryVerificationCode;
        if (code is null)
        {
            return Problem.Invalid("No verification code was generated for this certificate.");
        }

        if (!CertificateText.TryParse(certificateText, out var proof))
        {
            return Problem.Invalid("The verification certificate is not a base64 or PEM certificate.");
        }

        using var signer = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(slot));
        if (!string.Equals(CertificateText.CommonName(proof!), code, StringComparison.OrdinalIgnoreCase))
        {
            return Problem.Invalid("The verification certificate's subject CN is not the verification code.");
        }

        if (!CertificateText.ChainsTo(proof!, [signer]))
        {
            return Problem.Invalid("The verification certificate is not signed by the group's certificate.");
        }

        if (primary)
        {
            (entity.PrimaryVerified, entity.PrimaryVerificationCode) = (true, null);
        }
        else
        {
            (entity.SecondaryVerified, entity.SecondaryVerificationCode) = (true, null);
        }

        entity.ETag = NewETag();
        await db.SaveChangesAsync(cancellationToken);
        return new SigningCertificate(slot, CertificateText.Thumbprint(signer), Verified: true);
    }

    /// <returns>true when connections authenticated through the group must close (disabled or keys changed).</returns>
    private bool Apply(EnrollmentGroupEntity entity, EnrollmentGroupWrite write)
    {
        var revoke = entity.Enabled && !write.Enabled;
        entity.DisplayName = write.DisplayName;
        entity.Enabled = write.Enabled;
        entity.Type = write.Type;
        if (entity.AttestationType == "symmetricKey")
        {
            var primary = write.PrimaryKey ?? (entity.PrimaryKeyProtected is null ? SymmetricKeys.Generate() : secrets.Unprotect(entity.PrimaryKeyProtected));
            var secondary = write.SecondaryKey ?? (entity.SecondaryKeyProtected is null ? SymmetricKeys.Generate() : secrets.Unprotect(entity.SecondaryKeyProtected));
            revoke |= entity.PrimaryKeyProtected is not null
                && (primary != secrets.Unprotect(entity.PrimaryKeyProtected) || secondary != secrets.Unprotect(entity.SecondaryKeyProtected!));
            entity.PrimaryKeyProtected = secrets.Protect(primary);
            entity.SecondaryKeyProtected = secrets.Protect(secondary);
        }

        entity.ETag = NewETag();
        return revoke;
    }

    private ValueTask RevokeAsync(string applicationId, string groupId) =>
        connections.DisconnectCredentialAsync(applicationId, CredentialSources.Group(groupId), "enrollment group revoked or changed");

    private EnrollmentGroup ToModel(EnrollmentGroupEntity e) => new(
        e.Id, e.DisplayName, e.Enabled, e.Type, e.AttestationType,
        e.PrimaryKeyProtected is null ? null : secrets.Unprotect(e.PrimaryKeyProtected),
        e.SecondaryKeyProtected is null ? null : secrets.Unprotect(e.SecondaryKeyProtected),
        Slot(e.PrimaryCertificate, e.PrimaryVerified), Slot(e.SecondaryCertificate, e.SecondaryVerified), e.ETag);

    private static SigningCertificate? Slot(string? base64, bool verified)
    {
        if (base64 is null)
        {
            return null;
        }

        using var certificate = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(base64));
        return new SigningCertificate(base64, CertificateText.Thumbprint(certificate), verified);
    }

    private static string NewETag() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(12));

    [GeneratedRegex("^[A-Za-z0-9-]+$")]
    private static partial Regex IdRegex();
}
