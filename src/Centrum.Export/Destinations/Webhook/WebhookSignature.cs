using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Centrum.Export.Destinations.Webhook;

/// <summary>
/// Centrum's request signature for webhooks with a <c>signingSecret</c> (IoT Central has none; this is Centrum's own).
/// <para>
/// Each POST carries <c>x-centrum-timestamp: &lt;unix seconds&gt;</c> and
/// <c>x-centrum-signature: sha256=&lt;hex&gt;</c>, where hex is the lowercase HMAC-SHA256, keyed with the UTF-8 bytes
/// of the secret, of the ASCII timestamp, a <c>.</c>, and the raw request body bytes. A receiver verifies by
/// computing the same HMAC over the body exactly as received and comparing in constant time; it rejects replays by
/// refusing timestamps older than a few minutes (the timestamp is signed, so it cannot be moved forward). The
/// timestamp is taken per attempt, so a retried delivery carries a fresh one and passes that check.
/// </para>
/// </summary>
internal static class WebhookSignature
{
    public const string TimestampHeader = "x-centrum-timestamp";
    public const string SignatureHeader = "x-centrum-signature";

    public static (string Timestamp, string Signature) Sign(byte[] key, DateTimeOffset now, ReadOnlySpan<byte> body)
    {
        var timestamp = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(Encoding.ASCII.GetBytes(timestamp));
        hmac.AppendData("."u8);
        hmac.AppendData(body);
        return (timestamp, "sha256=" + Convert.ToHexStringLower(hmac.GetHashAndReset()));
    }
}
