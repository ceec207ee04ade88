using System.Text.Json;
using System.Text.Json.Serialization;
using Centrum.Edge.Downstream;

namespace Centrum.Edge.Upstream;

/// <summary>
/// The last device scope and <c>$edgeHub</c> key read from the cloud, kept on the device so that after a restart
/// without the cloud downstream devices still connect and the edge can forward once the cloud returns (IoT Edge's hub
/// keeps its identity cache in its store for the same reason).
/// </summary>
/// <remarks>
/// The file holds keys: it is written with owner-only permissions (0600) beside the edge's own configuration, which
/// holds the edge device's key; neither is safer than the other. It is replaced atomically (write, sync, rename), so a
/// crash leaves the old scope or the new one, never half of one.
/// </remarks>
internal sealed class ScopeCache(string path)
{
    /// <summary>Larger than any scope IoT Central gives a gateway (10,000 identities at about 300 bytes); a bigger file is not read.</summary>
    private const long MaxBytes = 64L * 1024 * 1024;

    private static readonly JsonSerializerOptions Json = new() { MaxDepth = 8, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>The cached scope, or null when there is none or it cannot be read (the cloud's next answer replaces it).</summary>
    public Cached? Load()
    {
        try
        {
            var file = new FileInfo(path);
            if (!file.Exists || file.Length > MaxBytes)
            {
                return null;
            }

            using var stream = file.OpenRead();
            return JsonSerializer.Deserialize<Cached>(stream, Json) is { EdgeHubKey.Length: > 0, Identities: not null } cached
                && cached.Identities.All(i => i is { DeviceId.Length: > 0, PrimaryKey: not null, SecondaryKey: not null })
                ? cached
                : null;
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public void Save(string edgeHubKey, IReadOnlyList<ScopeIdentity> identities)
    {
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        {
            JsonSerializer.Serialize(stream, new Cached(edgeHubKey, identities), Json);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    internal sealed record Cached(string EdgeHubKey, IReadOnlyList<ScopeIdentity> Identities);
}
