using System.Security.Cryptography;
using System.Text;
using Centrum.Storage;

namespace Centrum.Server.Administration;

/// <summary>
/// The key that opens the administration API. Only its SHA-256 is kept (in the data folder); the key itself is shown
/// once, by <c>centrum admin key</c>. Without a key the administration API refuses everyone.
/// </summary>
internal static class AdministrationKey
{
    private const string FileName = "administration.key.sha256";

    public static string Create(StorageOptions storage)
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        Directory.CreateDirectory(storage.FullDataFolder);
        File.WriteAllText(Path.Combine(storage.FullDataFolder, FileName), Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key))));
        return key;
    }

    public static bool Verify(StorageOptions storage, string? presented)
    {
        var path = Path.Combine(storage.FullDataFolder, FileName);
        if (presented is null || !File.Exists(path))
        {
            return false;
        }

        var expected = Convert.FromHexString(File.ReadAllText(path).Trim());
        return CryptographicOperations.FixedTimeEquals(expected, SHA256.HashData(Encoding.UTF8.GetBytes(presented)));
    }
}
