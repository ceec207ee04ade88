using System.Security.Cryptography;
using System.Text;

namespace Centrum.Export.Internal;

/// <summary>
/// The <c>applicationId</c> export messages carry. IoT Central identifies an application by a GUID there; Centrum
/// identifies it by its name, which never changes once created. The GUID is derived from that name as a name-based
/// UUID (RFC 9562 section 5.8 and appendix B.2: version 8, SHA-256 over a namespace and the name), so it is the same
/// for an application on every server and after every restart, without a stored column or a migration.
/// </summary>
internal static class ApplicationGuid
{
    /// <summary>Centrum's namespace for application names (RFC 9562 section 6.5: a namespace is any fixed UUID).</summary>
    private static readonly Guid Namespace = new("6f1c0e52-8d0b-4a57-9c43-2f3e6b1a7d90");

    public static Guid For(string applicationId)
    {
        var name = Encoding.UTF8.GetBytes(applicationId);
        var input = new byte[16 + name.Length];
        Namespace.TryWriteBytes(input, bigEndian: true, out _);
        name.CopyTo(input, 16);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(input, hash);

        // RFC 9562 section 5.8: version 8 in the high nibble of octet 6, variant 10 in the two high bits of octet 8.
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }
}
