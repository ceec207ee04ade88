using System.Security.Cryptography;
using System.Text;

namespace Centrum.Security;

public static class SymmetricKeys
{
    /// <summary>IoT Central and DPS generate 64-byte keys.</summary>
    public const int KeyLength = 64;

    public static string Generate() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeyLength));

    public static bool TryDecode(string? key, out byte[] bytes)
    {
        bytes = [];
        if (string.IsNullOrEmpty(key))
        {
            return false;
        }

        try
        {
            bytes = Convert.FromBase64String(key);
            return bytes.Length >= 16;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>DPS group enrollment key derivation (DPS docs "Symmetric key attestation", "Derive a device key").</summary>
    public static string DeriveDeviceKey(string groupKey, string registrationId) =>
        Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(groupKey), Encoding.UTF8.GetBytes(registrationId)));
}
