using System.ComponentModel.DataAnnotations;

namespace Centrum.Identity.Users;

/// <summary>
/// Section <c>Centrum:Identity:SignIn</c>: how many sign-in attempts (password, authenticator or recovery code) are
/// answered before <c>429 Too Many Requests</c>. Each source address and each account has its own allowance, refilled
/// in full every <see cref="Window"/>. Every answered failure writes an audit entry, so these also bound how fast
/// unauthenticated callers can grow the audit log. Raise the per-address allowance when many people sign in from
/// behind one address (a company proxy); lockout after five wrong passwords applies on top, per account.
/// </summary>
public sealed class SignInLimitOptions
{
    public const string Section = "Centrum:Identity:SignIn";

    /// <summary>Attempts from one source address (an IPv6 address counts by its /64 network) per window.</summary>
    [Range(1, 100_000)]
    public int AttemptsPerAddress { get; set; } = 30;

    /// <summary>Attempts at one account (by the email named) per window, whichever address they come from.</summary>
    [Range(1, 100_000)]
    public int AttemptsPerAccount { get; set; } = 20;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}
