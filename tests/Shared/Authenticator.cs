using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Centrum.Testing;

/// <summary>What an authenticator app computes from the shared key the two-factor setup shows.</summary>
internal static class Authenticator
{
    /// <summary>
    /// RFC 6238 with the authenticator defaults: HMAC-SHA1, 30-second steps, six digits; the key is base32 (RFC 4648 §6).
    /// <paramref name="stepOffset"/> moves the clock by whole steps (a code of the step before or after).
    /// </summary>
#pragma warning disable CA5350 // SHA-1 is what RFC 6238 authenticator apps compute; the test must compute the same.
    public static string Totp(string base32Key, int stepOffset = 0)
    {
        var key = Base32(base32Key);
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, (DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 30) + stepOffset);
        var hash = HMACSHA1.HashData(key, counter);
        var offset = hash[^1] & 0x0f;
        var binary = BinaryPrimitives.ReadInt32BigEndian(hash.AsSpan(offset)) & 0x7fffffff;
        return (binary % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

#pragma warning restore CA5350

    private static byte[] Base32(string text)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bits = 0;
        var value = 0;
        var bytes = new List<byte>();
        foreach (var c in text.TrimEnd('=').ToUpperInvariant())
        {
            value = (value << 5) | Alphabet.IndexOf(c, StringComparison.Ordinal);
            bits += 5;
            if (bits >= 8)
            {
                bytes.Add((byte)(value >> (bits - 8)));
                bits -= 8;
            }
        }

        return [.. bytes];
    }
}
