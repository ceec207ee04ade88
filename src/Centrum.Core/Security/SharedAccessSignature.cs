using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Centrum.Security;

/// <summary>
/// A parsed <c>SharedAccessSignature sr=…&amp;sig=…&amp;se=…[&amp;skn=…]</c> token, as IoT Hub, DPS and IoT Central use it.
/// </summary>
/// <remarks>
/// The raw (still percent-encoded) <c>sr</c> is kept because the signature covers it exactly as the client sent it:
/// Node and Python encode it, the C SDK does not (IoT Hub docs "Control access to IoT Hub with shared access signatures"; azure-iot-sdk-node shared_access_signature.ts, azure-c-shared-utility sastoken.c). Canonicalising before hashing would
/// break one of them.
/// </remarks>
public sealed class SharedAccessSignature
{
    private const string Prefix = "SharedAccessSignature ";

    private SharedAccessSignature(string rawResource, string resource, byte[] signature, string rawExpiry, long expiry, string? keyName)
    {
        RawResource = rawResource;
        Resource = resource;
        Signature = signature;
        RawExpiry = rawExpiry;
        Expiry = expiry;
        KeyName = keyName;
    }

    /// <summary>The <c>sr</c> value as it was sent.</summary>
    public string RawResource { get; }

    /// <summary>The <c>sr</c> value, percent-decoded.</summary>
    public string Resource { get; }

    public byte[] Signature { get; }

    public string RawExpiry { get; }

    /// <summary>The <c>se</c> value: seconds since the Unix epoch for device tokens.</summary>
    public long Expiry { get; }

    /// <summary>The <c>skn</c> value, or null when absent or empty (older C SDKs send an empty <c>skn=</c>).</summary>
    public string? KeyName { get; }

    public static bool TryParse(string? text, out SharedAccessSignature? token)
    {
        token = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var value = text.Trim();
        if (!value.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        string? sr = null, sig = null, se = null, skn = null;
        foreach (var part in value[Prefix.Length..].Split('&'))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }

            var key = part[..eq];
            var raw = part[(eq + 1)..];
            switch (key)
            {
                case "sr": sr = raw; break;
                case "sig": sig = raw; break;
                case "se": se = raw; break;
                case "skn": skn = raw; break;
            }
        }

        if (string.IsNullOrEmpty(sr) || string.IsNullOrEmpty(sig) || string.IsNullOrEmpty(se)
            || !long.TryParse(se, NumberStyles.None, CultureInfo.InvariantCulture, out var expiry))
        {
            return false;
        }

        byte[] signature;
        string resource;
        try
        {
            signature = Convert.FromBase64String(Uri.UnescapeDataString(sig));
            resource = Uri.UnescapeDataString(sr);
        }
        catch (FormatException)
        {
            return false;
        }

        token = new SharedAccessSignature(sr, resource, signature, se, expiry, string.IsNullOrEmpty(skn) ? null : Uri.UnescapeDataString(skn));
        return true;
    }

    /// <summary>Checks the signature against a base64 key in constant time.</summary>
    public bool IsSignedBy(ReadOnlySpan<byte> key)
    {
        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, StringToSign(RawResource, RawExpiry), expected);
        return CryptographicOperations.FixedTimeEquals(expected, Signature);
    }

    public bool IsExpired(DateTimeOffset now, TimeSpan clockSkew) =>
        Expiry <= now.Add(-clockSkew).ToUnixTimeSeconds();

    /// <summary>Mints a token the way the Node SDK does: <c>sr</c> encoded with uppercase hex, then sig, skn, se.</summary>
    public static string Create(string resource, ReadOnlySpan<byte> key, long expiry, string? keyName = null)
    {
        var sr = Uri.EscapeDataString(resource);
        var se = expiry.ToString(CultureInfo.InvariantCulture);
        var sig = Convert.ToBase64String(HMACSHA256.HashData(key, StringToSign(sr, se)));
        var builder = new StringBuilder(Prefix).Append("sr=").Append(sr).Append("&sig=").Append(Uri.EscapeDataString(sig));
        if (keyName is not null)
        {
            builder.Append("&skn=").Append(Uri.EscapeDataString(keyName));
        }

        return builder.Append("&se=").Append(se).ToString();
    }

    private static byte[] StringToSign(string rawResource, string rawExpiry) =>
        Encoding.UTF8.GetBytes(rawResource + "\n" + rawExpiry);
}
