using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Centrum.Devices;
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
public sealed class EnrollmentGroupService(IDbContextFactory<CentrumDbContext> contexts, ISecretProtector secrets, IDeviceConnections connections, ILogger<EnrollmentGroupService> logger)
{
    public const int MaxPageSize = 100;

    public async Task<EnrollmentGroup?> GetAsync(string applicationId, string id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.EnrollmentGroups.AsNoTracking().FirstOrDefaultAsync(g => g.ApplicationId == applicationId && g.Id == id, cancellationToken);
        return entity is null ? null : ToModel(entity);
    }

    public async Task<(IReadOnlyList<EnrollmentGroup> Groups, string? ContinueAfter)> ListAsync(string applicationId, string? after, int pageSize, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.EnrollmentGroups.AsNoTracking().Where(g => g.ApplicationId == applicationId);
        if (after is not null)
        {
            query = query.Where(g => string.Compare(g.Id, after) > 0);
        }

        var rows = await query.OrderBy(g => g.Id).Take(pageSize + 1).ToListAsync(cancellationToken);
        var page = rows.Take(pageSize).Select(ToModel).ToList();
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

    public async Task<(GroupOutcome Outcome, EnrollmentGroup? Group)> CreateOrReplaceAsync(
        string applicationId, string id, EnrollmentGroupWrite write, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.EnrollmentGroups.FirstOrDefaultAsync(g => g.ApplicationId == applicationId && g.Id == id, cancellationToken);
        if (entity is not null && entity.AttestationType != write.AttestationType)
        {
            Log.GroupRefused(logger, applicationId, id, $"its attestation type is {entity.AttestationType} and cannot change");
            return (GroupOutcome.Invalid, null);
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

        return (GroupOutcome.Done, ToModel(entity));
    }

    public async Task<(GroupOutcome Outcome, EnrollmentGroup? Group)> UpdateAsync(
        string applicationId, string id, Func<EnrollmentGroupWrite, EnrollmentGroupWrite?> patch, string? ifMatch, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.EnrollmentGroups.FirstOrDefaultAsync(g => g.ApplicationId == applicationId && g.Id == id, cancellationToken);
        if (entity is null)
        {
            return (GroupOutcome.NotFound, null);
        }

        if (ifMatch is not null && ifMatch != "*" && ifMatch != entity.ETag)
        {
            return (GroupOutcome.ETagMismatch, null);
        }

        var current = ToModel(entity);
        var write = patch(new EnrollmentGroupWrite(current.DisplayName, current.Enabled, current.Type, current.AttestationType, current.PrimaryKey, current.SecondaryKey));
        if (write is null || write.AttestationType != entity.AttestationType)
        {
            Log.GroupRefused(logger, applicationId, id, "the patch is not valid or changes the attestation type");
            return (GroupOutcome.Invalid, null);
        }

        var revoke = Apply(entity, write);
        await db.SaveChangesAsync(cancellationToken);
        Log.GroupSaved(logger, applicationId, id, entity.Enabled, entity.AttestationType, revoke);
        if (revoke)
        {
            await RevokeAsync(applicationId, id);
        }

        return (GroupOutcome.Done, ToModel(entity));
    }

    public async Task<bool> DeleteAsync(string applicationId, string id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var deleted = await db.EnrollmentGroups.Where(g => g.ApplicationId == applicationId && g.Id == id).ExecuteDeleteAsync(cancellationToken);
        if (deleted > 0)
        {
            Log.GroupDeleted(logger, applicationId, id);
            await RevokeAsync(applicationId, id);
        }

        return deleted > 0;
    }

    /// <summary>Sets one signing certificate; answers it with the group's new etag, as IoT Central's EnrollmentGroups_CreateX509 answers it.</summary>
    public async Task<(GroupOutcome Outcome, SigningCertificate? Certificate, string? ETag)> SetCertificateAsync(
        string applicationId, string id, bool primary, string certificateText, bool verified, CancellationToken cancellationToken)
    {
        var result = await SetCertificateCoreAsync(applicationId, id, primary, certificateText, verified, cancellationToken);
        if (result.Certificate is { } set)
        {
            Log.CertificateSet(logger, applicationId, id, Slot(primary), set.Thumbprint, set.Verified);
        }
        else if (result.Outcome == GroupOutcome.Invalid)
        {
            Log.GroupRefused(logger, applicationId, id, $"the {Slot(primary)} certificate is not a certificate, or the group is not an X.509 group");
        }

        return result;
    }

    private static string Slot(bool primary) => primary ? "primary" : "secondary";

    private async Task<(GroupOutcome Outcome, SigningCertificate? Certificate, string? ETag)> SetCertificateCoreAsync(
        string applicationId, string id, bool primary, string certificateText, bool verified, CancellationToken cancellationToken)
    {
        if (!CertificateText.TryParse(certificateText, out var certificate))
        {
            return (GroupOutcome.Invalid, null, null);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.EnrollmentGroups.FirstOrDefaultAsync(g => g.ApplicationId == applicationId && g.Id == id, cancellationToken);
        if (entity is null)
        {
            return (GroupOutcome.NotFound, null, null);
        }

        if (entity.AttestationType != "x509")
        {
            return (GroupOutcome.Invalid, null, null);
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
        return (GroupOutcome.Done, new SigningCertificate(base64, CertificateText.Thumbprint(certificate!), verified), entity.ETag);
    }

    public async Task<GroupOutcome> RemoveCertificateAsync(string applicationId, string id, bool primary, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.EnrollmentGroups.FirstOrDefaultAsync(g => g.ApplicationId == applicationId && g.Id == id, cancellationToken);
        if (entity is null || (primary ? entity.PrimaryCertificate : entity.SecondaryCertificate) is null)
        {
            return GroupOutcome.NotFound;
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
        return GroupOutcome.Done;
    }

    /// <summary>Issues the nonce a certificate's owner signs to prove possession of its private key.</summary>
    public async Task<(GroupOutcome Outcome, string? Code)> GenerateVerificationCodeAsync(string applicationId, string id, bool primary, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.EnrollmentGroups.FirstOrDefaultAsync(g => g.ApplicationId == applicationId && g.Id == id, cancellationToken);
        if (entity is null || (primary ? entity.PrimaryCertificate : entity.SecondaryCertificate) is null)
        {
            return (GroupOutcome.NotFound, null);
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
        return (GroupOutcome.Done, code);
    }

    /// <summary>
    /// Proof of possession: a certificate whose subject CN is the issued code, signed by the slot's certificate,
    /// marks the slot verified.
    /// </summary>
    public async Task<(GroupOutcome Outcome, string? Error)> VerifyAsync(string applicationId, string id, bool primary, string certificateText, CancellationToken cancellationToken)
    {
        var result = await VerifyCoreAsync(applicationId, id, primary, certificateText, cancellationToken);
        if (result.Outcome == GroupOutcome.Done)
        {
            Log.CertificateVerified(logger, applicationId, id, Slot(primary));
        }
        else if (result.Error is { } error)
        {
            Log.VerificationRefused(logger, applicationId, id, Slot(primary), error);
        }

        return result;
    }

    private async Task<(GroupOutcome Outcome, string? Error)> VerifyCoreAsync(string applicationId, string id, bool primary, string certificateText, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.EnrollmentGroups.FirstOrDefaultAsync(g => g.ApplicationId == applicationId && g.Id == id, cancellationToken);
        var slot = primary ? entity?.PrimaryCertificate : entity?.SecondaryCertificate;
        if (entity is null || slot is null)
        {
            return (GroupOutcome.NotFound, null);
        }

        var code = primary ? entity.PrimaryVerificationCode : entity.SecondaryVerificationCode;
        if (code is null)
        {
            return (GroupOutcome.Invalid, "No verification code was generated for this certificate.");
        }

        if (!CertificateText.TryParse(certificateText, out var proof))
        {
            return (GroupOutcome.Invalid, "The verification certificate is not a base64 or PEM certificate.");
        }

        using var signer = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(slot));
        if (!string.Equals(CertificateText.CommonName(proof!), code, StringComparison.OrdinalIgnoreCase))
        {
            return (GroupOutcome.Invalid, "The verification certificate's subject CN is not the verification code.");
        }

        if (!CertificateText.ChainsTo(proof!, [signer]))
        {
            return (GroupOutcome.Invalid, "The verification certificate is not signed by the group's certificate.");
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
        return (GroupOutcome.Done, null);
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
}
