using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Centrum.Identity.Users;

/// <summary>
/// Limits sign-in attempts per source address and per account (<see cref="SignInLimitOptions"/>), before any password is
/// checked or anything is written. An attempt refused here costs no database work and leaves no audit entry.
/// </summary>
public sealed class SignInThrottle : IDisposable
{
    /// <summary>RFC 5321 §4.5.3.1.3: a forward path holds at most 256 octets; longer account names share one allowance.</summary>
    private const int MaxAccountKeyLength = 256;

    /// <summary>An IPv6 host usually holds a whole /64 (RFC 4291 §2.5.1), so one network is one source.</summary>
    private const int Ipv6NetworkBytes = 8;

    private readonly PartitionedRateLimiter<string> _addresses;
    private readonly PartitionedRateLimiter<string> _accounts;
    private readonly TimeSpan _window;

    public SignInThrottle(IOptions<SignInLimitOptions> options)
    {
        var o = options.Value;
        _window = o.Window;
        _addresses = Limiter(o.AttemptsPerAddress, o.Window);
        _accounts = Limiter(o.AttemptsPerAccount, o.Window);
    }

    /// <summary>Null when an attempt from <paramref name="address"/> may go on; otherwise how long until it may.</summary>
    public TimeSpan? FromAddress(IPAddress? address) => Acquire(_addresses, AddressKey(address));

    /// <summary>Null when an attempt at the account named <paramref name="email"/> may go on; otherwise how long until it may.</summary>
    public TimeSpan? AtAccount(string email)
    {
        var key = email.Trim().ToLowerInvariant();
        return Acquire(_accounts, key.Length > MaxAccountKeyLength ? key[..MaxAccountKeyLength] : key);
    }

    public void Dispose()
    {
        _addresses.Dispose();
        _accounts.Dispose();
    }

    private TimeSpan? Acquire(PartitionedRateLimiter<string> limiter, string key)
    {
        using var lease = limiter.AttemptAcquire(key);
        return lease.IsAcquired ? null : lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : _window;
    }

    private static string AddressKey(IPAddress? address)
    {
        if (address is null)
        {
            return "";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, Ipv6NetworkBytes, bytes.Length - Ipv6NetworkBytes);
        return new IPAddress(bytes) + "/64";
    }

    private static PartitionedRateLimiter<string> Limiter(int attempts, TimeSpan window) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = attempts,
            TokensPerPeriod = attempts,
            ReplenishmentPeriod = window,
            QueueLimit = 0,

            // The partitioned limiter refills every partition from its one timer; a timer per partition would let
            // callers naming new accounts create timers.
            AutoReplenishment = false,
        }));
}
