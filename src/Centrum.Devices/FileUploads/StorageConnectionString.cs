using System.Text.RegularExpressions;
using Azure.Storage.Blobs;

namespace Centrum.Devices.FileUploads;

/// <summary>
/// An Azure Storage connection string (Azure Storage documentation, "Configure Azure Storage connection strings"):
/// <c>key=value</c> pairs separated by <c>;</c>. File uploads need the account key, since each device's SAS is a service
/// SAS signed with it; the blob endpoint is the connection string's (<c>BlobEndpoint</c>, or the account's default).
/// </summary>
internal static partial class StorageConnectionString
{
    /// <summary>What IoT Central shows in place of the account key (its published <c>FileUpload</c> examples).</summary>
    public const string MaskedKey = "*****";

    /// <summary>The longest connection string accepted: a real one is a few hundred characters.</summary>
    public const int MaxLength = 2048;

    /// <summary>The connection string with its account key replaced by <see cref="MaskedKey"/>.</summary>
    public static string Mask(string connectionString) => AccountKey().Replace(connectionString, "${name}" + MaskedKey);

    /// <summary>Whether the connection string's key is the mask (the caller sent back what it read).</summary>
    public static bool HasMaskedKey(string connectionString) => Value(connectionString, "AccountKey") == MaskedKey;

    /// <summary>The connection string with the key of <paramref name="keyFrom"/> in place of its own.</summary>
    public static string WithKeyOf(string connectionString, string keyFrom) =>
        AccountKey().Replace(connectionString, m => m.Groups["name"].Value + Value(keyFrom, "AccountKey"));

    /// <summary>Null when the connection string is usable for file uploads, else what is wrong with it.</summary>
    public static string? Problem(string connectionString)
    {
        if (connectionString.Length > MaxLength)
        {
            return $"The connection string is longer than {MaxLength} characters.";
        }

        if (Value(connectionString, "AccountName") is not { Length: > 0 })
        {
            return "The connection string names no AccountName.";
        }

        var key = Value(connectionString, "AccountKey");
        if (key is null || !IsBase64(key))
        {
            return "The connection string has no AccountKey (a base64 key): file uploads sign each device's SAS with the account key.";
        }

        try
        {
            var service = new BlobServiceClient(connectionString);
            return service.CanGenerateAccountSasUri ? null : "The connection string cannot sign a SAS.";
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            return "The connection string is not an Azure Storage connection string: " + e.Message;
        }
    }

    public static string? Value(string connectionString, string name)
    {
        foreach (var part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && part.AsSpan(0, equals).Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return part[(equals + 1)..].Trim();
            }
        }

        return null;
    }

    private static bool IsBase64(string value)
    {
        Span<byte> buffer = stackalloc byte[256];
        return value.Length is > 0 and <= 340 && Convert.TryFromBase64String(value, buffer, out var written) && written > 0;
    }

    [GeneratedRegex("(?<name>(?:^|;)\\s*AccountKey\\s*=)[^;]*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AccountKey();
}
