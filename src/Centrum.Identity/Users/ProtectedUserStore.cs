using Centrum.Security;
using Centrum.Storage;
using Centrum.Storage.Entities;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;

namespace Centrum.Identity.Users;

/// <summary>
/// Identity's EF Core user store with its tokens encrypted: the authenticator (TOTP) key and the recovery codes are
/// secrets, and Identity stores them as plain user tokens. Passwords are hashed by Identity itself.
/// </summary>
internal sealed class ProtectedUserStore(CentrumDbContext context, ISecretProtector secrets, IdentityErrorDescriber? describer = null)
    : UserStore<CentrumUser, IdentityRole, CentrumDbContext>(context, describer)
{
    public override Task SetTokenAsync(CentrumUser user, string loginProvider, string name, string? value, CancellationToken cancellationToken) =>
        base.SetTokenAsync(user, loginProvider, name, value is null ? null : secrets.Protect(value), cancellationToken);

    public override async Task<string?> GetTokenAsync(CentrumUser user, string loginProvider, string name, CancellationToken cancellationToken)
    {
        var value = await base.GetTokenAsync(user, loginProvider, name, cancellationToken);
        return value is null ? null : secrets.Unprotect(value);
    }
}
