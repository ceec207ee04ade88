using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Centrum.Identity.ApiTokens;

/// <summary>
/// API tokens this process has verified, by the SHA-256 of the whole <c>Authorization</c> header (the token itself is
/// not kept): a request with a token seen before needs neither the token's row nor its key unprotected. An entry holds
/// what the row said (application, token id, roles) and when it stops being trusted (the earliest of the token's own
/// <c>se</c>, the stored expiry and <see cref="RecheckAfterMilliseconds"/> from now), checked on every hit, so expiry
/// takes effect on time.
/// <para>
/// Revocation takes effect at once: a token's deletion (or its application's) clears the cache after its commit, and a
/// verification that read the row before that commit cannot put its result back afterwards: entries are added only
/// while the generation read before the row is still current, under the same lock that clears. Roles are kept as ids;
/// what a role grants is resolved on every request (<see cref="Authorization.RoleCatalog"/>), so a role's change applies
/// on the next request. Entries are bounded (<see cref="Capacity"/>): at the bound the cache starts empty again, so
/// callers presenting ever new valid tokens cost a row read each, never unbounded memory.
/// </para>
/// </summary>
internal sealed class VerifiedTokenCache
{
    /// <summary>
    /// How long an entry is trusted before the row is read again. A deletion in this process clears the cache at once;
    /// one made by another process on the same store (another node on PostgreSQL, a command-line verb) is not seen
    /// here, and this bounds how long such a deleted token is still accepted.
    /// </summary>
    public const long RecheckAfterMilliseconds = 30_000;

    /// <summary>Distinct tokens remembered at most; far above the tokens an application issues.</summary>
    public const int Capacity = 10_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private long _generation;

    /// <summary>Read before the token's row; <see cref="TryAdd"/> adds only while no invalidation happened since.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    public static string Key(string authorization) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(authorization)));

    public bool TryGet(string key, long nowMilliseconds, out ApiTokenVerification verification)
    {
        if (_entries.TryGetValue(key, out var entry) && entry.GoodUntil > nowMilliseconds)
        {
            verification = entry.Verification;
            return true;
        }

        verification = null!;
        return false;
    }

    public void TryAdd(string key, long generation, ApiTokenVerification verification, long goodUntil)
    {
        lock (_gate)
        {
            if (generation != _generation)
            {
                return;
            }

            if (_entries.Count >= Capacity)
            {
                _entries.Clear();
            }

            _entries[key] = new Entry(verification, goodUntil);
        }
    }

    /// <summary>Forgets every verified token: after a token or an application is deleted (rare next to requests).</summary>
    public void Invalidate()
    {
        lock (_gate)
        {
            Interlocked.Increment(ref _generation);
            _entries.Clear();
        }
    }

    private sealed record Entry(ApiTokenVerification Verification, long GoodUntil);
}
