using Microsoft.AspNetCore.Identity;

namespace Centrum.Storage.Entities;

/// <summary>
/// A local account (ASP.NET Core Identity): email, password hash, lockout, two-factor state. Accounts are global;
/// what an account may do in an application comes from its membership there (<see cref="ApplicationUserEntity"/>).
/// </summary>
public sealed class CentrumUser : IdentityUser
{
}
