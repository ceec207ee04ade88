using Centrum.Storage.Entities;
using Microsoft.AspNetCore.Identity;

namespace Centrum.Identity.Users;

/// <summary>
/// Creates local accounts (email and password, through ASP.NET Core Identity's password and uniqueness rules), so the
/// users table is written only by the identity area; the command line comes through here.
/// </summary>
public sealed class LocalAccounts(UserManager<CentrumUser> users)
{
    /// <summary>The account's email is its user name and counts as confirmed: the operator who creates it vouches for it.</summary>
    public Task<IdentityResult> CreateAsync(string email, string password) =>
        users.CreateAsync(new CentrumUser { UserName = email, Email = email, EmailConfirmed = true }, password);
}
