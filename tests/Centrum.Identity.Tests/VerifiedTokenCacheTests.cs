using Centrum.Identity.ApiTokens;

namespace Centrum.Identity.Tests;

/// <summary>
/// The cache of verified API tokens: what it returns must never outlive the token's expiry, its recheck bound, or a
/// revocation that happened while the token's row was being read.
/// </summary>
public sealed class VerifiedTokenCacheTests
{
    private static readonly ApiTokenVerification Verified = new(true, null, "app", "t1", []);

    [Fact]
    public void An_entry_is_trusted_until_its_bound_and_not_one_millisecond_longer()
    {
        var cache = new VerifiedTokenCache();
        var key = VerifiedTokenCache.Key("SharedAccessSignature sr=app&sig=x&skn=t1&se=1");
        var now = 1_000_000L;
        cache.TryAdd(key, cache.Generation, Verified, now + VerifiedTokenCache.RecheckAfterMilliseconds);

        Assert.True(cache.TryGet(key, now + VerifiedTokenCache.RecheckAfterMilliseconds - 1, out var hit));
        Assert.Same(Verified, hit);
        Assert.False(cache.TryGet(key, now + VerifiedTokenCache.RecheckAfterMilliseconds, out _));
    }

    [Fact]
    public void A_verification_read_before_a_revocation_is_not_remembered_after_it()
    {
        var cache = new VerifiedTokenCache();
        var key = VerifiedTokenCache.Key("SharedAccessSignature sr=app&sig=y&skn=t1&se=1");
        var generation = cache.Generation;
        cache.Invalidate();
        cache.TryAdd(key, generation, Verified, long.MaxValue);

        Assert.False(cache.TryGet(key, 0, out _));
    }

    [Fact]
    public void A_revocation_forgets_every_remembered_token()
    {
        var cache = new VerifiedTokenCache();
        var key = VerifiedTokenCache.Key("SharedAccessSignature sr=app&sig=z&skn=t1&se=1");
        cache.TryAdd(key, cache.Generation, Verified, long.MaxValue);
        Assert.True(cache.TryGet(key, 0, out _));

        cache.Invalidate();

        Assert.False(cache.TryGet(key, 0, out _));
    }

    [Fact]
    public void The_cache_never_holds_more_than_its_capacity()
    {
        var cache = new VerifiedTokenCache();
        for (var i = 0; i <= VerifiedTokenCache.Capacity; i++)
        {
            cache.TryAdd(VerifiedTokenCache.Key($"token {i}"), cache.Generation, Verified, long.MaxValue);
        }

        Assert.True(cache.TryGet(VerifiedTokenCache.Key($"token {VerifiedTokenCache.Capacity}"), 0, out _));
        Assert.False(cache.TryGet(VerifiedTokenCache.Key("token 0"), 0, out _));
    }
}
