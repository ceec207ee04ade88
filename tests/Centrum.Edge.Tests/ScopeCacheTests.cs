using System.Runtime.Versioning;
using System.Text.Json;
using Centrum.Edge.Downstream;
using Centrum.Edge.Upstream;
using Centrum.Testing;

namespace Centrum.Edge.Tests;

/// <summary>The device scope kept on the device for a start without the cloud: owner-only, replaced whole, and never trusted when damaged.</summary>
public sealed class ScopeCacheTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("centrum-edge-scope-").FullName;

    [Fact]
    [SupportedOSPlatform("linux")]
    public void A_saved_scope_comes_back_whole_and_only_its_owner_can_read_it()
    {
        var path = Path.Combine(_folder, "scope.json");
        var cache = new ScopeCache(path);
        Assert.Null(cache.Load());

        cache.Save("ZWRnZUh1YktleQ==", [new ScopeIdentity("leaf-1", null, "cA==", "cw=="), new ScopeIdentity("edge-1", "filter", "bQ==", "bg==", Enabled: true)]);
        cache.Save("bmV3ZXJLZXk=", [new ScopeIdentity("leaf-2", null, "cA==", "cw==", Enabled: false)]);

        var loaded = new ScopeCache(path).Load();
        Assert.NotNull(loaded);
        Assert.Equal("bmV3ZXJLZXk=", loaded.EdgeHubKey);
        Assert.Equal([new ScopeIdentity("leaf-2", null, "cA==", "cw==", Enabled: false)], loaded.Identities);
        Assert.False(File.Exists(path + ".tmp"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void A_damaged_cache_is_ignored_rather_than_trusted_or_thrown()
    {
        var path = Path.Combine(_folder, "scope.json");
        var valid = JsonSerializer.Serialize(new { edgeHubKey = "a2V5", identities = new[] { new { deviceId = "leaf-1", primaryKey = "cA==", secondaryKey = "cw==", enabled = true } } });
        string[] tokens = ["{", "}", "[", "]", ",", ":", "\"", "null", "true", "\"deviceId\"", "\"identities\"", "\"edgeHubKey\"", "1e999", "\\u0000"];
        Fuzz.Run<JsonException>(2_000, seed: 29, random => Fuzz.Mutate(random, valid, tokens, [valid]), text =>
        {
            File.WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text));
            if (new ScopeCache(path).Load() is { } loaded)
            {
                Assert.NotEmpty(loaded.EdgeHubKey);
                Assert.All(loaded.Identities, i => Assert.False(string.IsNullOrEmpty(i.DeviceId)));
            }
        });
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
