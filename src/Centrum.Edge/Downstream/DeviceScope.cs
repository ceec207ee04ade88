using System.Collections.Frozen;

namespace Centrum.Edge.Downstream;

/// <summary>
/// The identities the edge serves, replaced whole each time the cloud's scope is read. Downstream devices authenticate
/// against it, not against the cloud, so they keep connecting while the cloud is out of reach (as IoT Edge's hub
/// authenticates from its cached device scope).
/// </summary>
public sealed class DeviceScope
{
    private volatile FrozenDictionary<string, ScopeIdentity> _identities = FrozenDictionary<string, ScopeIdentity>.Empty;

    /// <summary>Identities in the scope now.</summary>
    public int Count => _identities.Count;

    /// <summary>Takes <paramref name="identities"/> as the whole scope; an identity left out can no longer connect.</summary>
    public void Replace(IEnumerable<ScopeIdentity> identities) =>
        _identities = identities.ToFrozenDictionary(i => i.ClientId, StringComparer.Ordinal);

    /// <summary>The identity of <paramref name="deviceId"/> (and <paramref name="moduleId"/>), or null outside the scope.</summary>
    public ScopeIdentity? Find(string deviceId, string? moduleId) =>
        _identities.GetValueOrDefault(moduleId is null ? deviceId : $"{deviceId}/{moduleId}");
}
