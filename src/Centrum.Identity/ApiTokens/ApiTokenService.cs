using System.Text.Json;
using System.Text.RegularExpressions;
using Centrum.Identity.Authorization;
using Centrum.Identity.Internal;
using Centrum.Outcomes;
using Centrum.Security;
using Centrum.Storage;
using Centrum.Storage.Entities;
using Centrum.Storage.Ownership;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Centrum.Identity.ApiTokens;

/// <summary>
/// API tokens in IoT Central's form: <c>SharedAccessSignature sr={applicationId}&amp;sig=…&amp;skn={tokenId}&amp;se={expiry, epoch ms}</c>.
/// Only the signing key is stored, encrypted; the token string is shown once. A token is looked up and its signature
/// checked once per process; what that found is remembered (<see cref="VerifiedTokenCache"/>) until a token or an
/// application is deleted, so a deleted token stops working on the next request.
/// </summary>
public sealed partial class ApiTokenService(
    IDbContextFactory<CentrumDbContext> contexts, ISecretProtector secrets, RoleCatalog roleCatalog, TimeProvider time, ILogger<ApiTokenService> logger,
    IEnumerable<IAreaData> areas)
{
    /// <summary>IoT Central's API tokens last about a year.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(365);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly VerifiedTokenCache _verified = new();

    /// <summary>
    /// Issues a token. Its roles must exist and grant no more than <paramref name="holder"/> holds, as far as each
    /// assignment reaches (<see cref="ProblemKind.Forbidden"/> otherwise); an existing token id is a conflict.
    /// </summary>
    public async Task<Outcome<ApiToken>> CreateAsync(
        string applicationId, string tokenId, IReadOnlyList<RoleAssignment> roles, DateTimeOffset? expiry, CallerHoldings holder, CancellationToken cancellationToken)
    {
        if (!IdRegex().IsMatch(tokenId))
        {
            return Problem.Invalid("API token ids have 1 to 64 letters, digits, '-' or '_'.");
        }

        if (roles.Count == 0)
        {
            return Problem.Invalid("A token needs at least one role assignment.");
        }

        foreach (var role in roles)
        {
            if (role.Organization is not null && !await OrganizationExistsAsync(applicationId, role.Organization, cancellationToken))
            {
                return Problem.Invalid($"Organization '{role.Organization}' does not exist.");
            }

            if (await roleCatalog.GetAsync(applicationId, role.Role, cancellationToken) is null)
            {
                return Problem.Invalid($"Role '{role.Role}' does not exist.");
            }
        }

        if (await roleCatalog.RefuseAssignmentsAsync(applicationId, holder, Permission.ApiTokensManage, roles, cancellationToken) is { } refused)
        {
            Log.GrantRefused(logger, applicationId, $"create API token {tokenId}", refused);
            return Problem.Forbidden(refused);
        }

        var now = time.GetUtcNow();
        var until = expiry ?? now + DefaultLifetime;
        if (until <= now)
        {
            return Problem.Invalid("The expiry is in the past.");
        }

        var key = SymmetricKeys.Generate();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await db.ApiTokens.AnyAsync(t => t.ApplicationId == applicationId && t.Id == tokenId, cancellationToken))
        {
            return Problem.Conflict($"API token '{tokenId}' already exists.");
        }

        db.ApiTokens.Add(new ApiTokenEntity
        {
            ApplicationId = applicationId,
            Id = tokenId,
            KeyProtected = secrets.Protect(key),
            Roles = JsonSerializer.Serialize(roles, Json),
            Expiry = until,
            CreatedAt = now,
        });
        await db.SaveChangesAsync(cancellationToken);

        var token = SharedAccessSignature.Create(applicationId, Convert.FromBase64String(key), until.ToUnixTimeMilliseconds(), tokenId);
        Log.TokenCreated(logger, applicationId, tokenId, RoleList(roles), until);
        return new ApiToken(tokenId, roles, until, token);
    }

    public async Task<IReadOnlyList<ApiToken>> ListAsync(string applicationId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.ApiTokens.AsNoTracking().Where(t => t.ApplicationId == applicationId).OrderBy(t => t.Id).ToListAsync(cancellationToken);
        return rows.Select(ToModel).ToList();
    }

    public async Task<ApiToken?> GetAsync(string applicationId, string tokenId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.ApiTokens.AsNoTracking().FirstOrDefaultAsync(t => t.ApplicationId == applicationId && t.Id == tokenId, cancellationToken);
        return row is null ? null : ToModel(row);
    }

    /// <summary>
    /// Revokes a token: every request looks tokens up, so the next request with it is refused. A caller revokes only
    /// tokens within its own holdings (<see cref="ProblemKind.Forbidden"/> otherwise). Answers the token revoked.
    /// </summary>
    public async Task<Outcome<ApiToken>> DeleteAsync(string applicationId, string tokenId, CallerHoldings holder, CancellationToken cancellationToken)
    {
        if (await GetAsync(applicationId, tokenId, cancellationToken) is not { } existing)
        {
            return NotFound(tokenId);
        }

        if (await roleCatalog.RefuseAssignmentsAsync(applicationId, holder, Permission.ApiTokensManage, existing.Roles, cancellationToken) is { } refused)
        {
            Log.GrantRefused(logger, applicationId, $"revoke API token {tokenId}", refused);
            return Problem.Forbidden(refused);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await db.ApiTokens.Where(t => t.ApplicationId == applicationId && t.Id == tokenId).ExecuteDeleteAsync(cancellationToken) == 0)
        {
            return NotFound(tokenId);
        }

        // The token was a member: what areas keep for it alone (personal dashboards) goes in this unit of work.
        foreach (var area in areas)
        {
            await area.ReleaseMemberAsync(db, applicationId, MemberPolicy.TokenMember(tokenId), cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        _verified.Invalidate();

        Log.TokenRevoked(logger, applicationId, tokenId);
        return existing;
    }

    /// <summary>Forgets every token verified so far: their application was deleted (with its tokens) after this commit.</summary>
    public void ForgetVerified() => _verified.Invalidate();

    public static Problem NotFound(string tokenId) => Problem.NotFound($"API token '{tokenId}' was not found.");

    /// <summary>Roles as an operator reads them: <c>role</c> or <c>role@organization</c>.</summary>
    internal static string RoleList(IEnumerable<RoleAssignment> roles) =>
        string.Join(", ", roles.Select(r => r.Organization is null ? r.Role : $"{r.Role}@{r.Organization}"));

    private async Task<bool> OrganizationExistsAsync(string applicationId, string organization, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Organizations.AnyAsync(o => o.ApplicationId == applicationId && o.Id == organization, cancellationToken);
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex IdRegex();

    private static ApiToken ToModel(ApiTokenEntity e) => new(e.Id, JsonSerializer.Deserialize<List<RoleAssignment>>(e.Roles, Json) ?? [], e.Expiry);

    /// <summary>Verifies a token for real: known token, signature by its key, not expired.</summary>
    public async Task<ApiTokenVerification> VerifyAsync(string authorization, CancellationToken cancellationToken)
    {
        using var span = IdentityTracing.Source.StartActivity("identity.verify_token");
        if (!SharedAccessSignature.TryParse(authorization, out var sas) || sas!.KeyName is null)
        {
            return ApiTokenVerification.Failed("The authorization header is not a valid SharedAccessSignature token.");
        }

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var cacheKey = VerifiedTokenCache.Key(authorization);
        if (_verified.TryGet(cacheKey, now, out var known))
        {
            return known;
        }

        var generation = _verified.Generation;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var entity = await db.ApiTokens.AsNoTracking()
            .FirstOrDefaultAsync(t => t.ApplicationId == sas.Resource && t.Id == sas.KeyName, cancellationToken);
        if (entity is null)
        {
            Log.TokenRefused(logger, sas.Resource, $"token {sas.KeyName}: The API token does not exist or was revoked.");
            return ApiTokenVerification.Failed("The API token does not exist or was revoked.");
        }

        var key = Convert.FromBase64String(secrets.Unprotect(entity.KeyProtected));
        if (!sas.IsSignedBy(key))
        {
            Log.TokenRefused(logger, sas.Resource, $"token {sas.KeyName}: The API token's signature is not valid.");
            return ApiTokenVerification.Failed("The API token's signature is not valid.");
        }

        if (sas.Expiry <= now || entity.Expiry.ToUnixTimeMilliseconds() <= now)
        {
            Log.TokenRefused(logger, sas.Resource, $"token {sas.KeyName}: The API token has expired.");
            return ApiTokenVerification.Failed("The API token has expired.");
        }

        var roles = JsonSerializer.Deserialize<List<RoleAssignment>>(entity.Roles, Json) ?? [];
        var verified = new ApiTokenVerification(true, null, entity.ApplicationId, entity.Id, roles);
        _verified.TryAdd(cacheKey, generation, verified, Math.Min(Math.Min(sas.Expiry, entity.Expiry.ToUnixTimeMilliseconds()), now + VerifiedTokenCache.RecheckAfterMilliseconds));
        return verified;
    }
}

public sealed record ApiTokenVerification(bool Succeeded, string? Failure, string? ApplicationId, string? TokenId, IReadOnlyList<RoleAssignment> Roles)
{
    public static ApiTokenVerification Failed(string reason) => new(false, reason, null, null, []);
}
