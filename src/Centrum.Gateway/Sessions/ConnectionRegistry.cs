using System.Collections.Concurrent;
using Centrum.Devices;

namespace Centrum.Gateway.Sessions;

/// <summary>The device sessions live on this node, one per (application, client id), whatever their transport.</summary>
internal sealed class ConnectionRegistry : IDeviceConnections
{
    private readonly ConcurrentDictionary<(string Application, string ClientId), IDeviceSession> _connections = new();

    /// <summary>Makes <paramref name="session"/> the current one and returns the one it replaces, if any.</summary>
    public IDeviceSession? Register(string applicationId, string clientId, IDeviceSession session)
    {
        IDeviceSession? previous = null;
        _connections.AddOrUpdate((applicationId, clientId), session, (_, old) =>
        {
            previous = old;
            return session;
        });
        return previous;
    }

    /// <summary>Removes the entry only if it is still <paramref name="session"/> (a takeover may have replaced it).</summary>
    public bool Remove(string applicationId, string clientId, IDeviceSession session) =>
        _connections.TryRemove(new KeyValuePair<(string, string), IDeviceSession>((applicationId, clientId), session));

    public IDeviceSession? Find(string applicationId, string clientId) =>
        _connections.TryGetValue((applicationId, clientId), out var session) ? session : null;

    public ValueTask DisconnectAsync(string applicationId, string deviceId, string reason)
    {
        foreach (var (key, session) in _connections)
        {
            if (key.Application == applicationId && (key.ClientId == deviceId || key.ClientId.StartsWith(deviceId + "/", StringComparison.Ordinal)))
            {
                session.Close(reason);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>A module's session is keyed by its IoT Hub client id, <c>{device}/{module}</c>.</summary>
    public ValueTask DisconnectModuleAsync(string applicationId, string deviceId, string moduleId, string reason)
    {
        Find(applicationId, $"{deviceId}/{moduleId}")?.Close(reason);
        return ValueTask.CompletedTask;
    }

    public ValueTask DisconnectCredentialAsync(string applicationId, string credentialSource, string reason)
    {
        foreach (var (key, session) in _connections)
        {
            if (key.Application == applicationId && session.Identity.CredentialSource == credentialSource)
            {
                session.Close(reason);
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask DisconnectApplicationAsync(string applicationId, string reason)
    {
        foreach (var (key, session) in _connections)
        {
            if (key.Application == applicationId)
            {
                session.Close(reason);
            }
        }

        return ValueTask.CompletedTask;
    }

    public bool IsConnected(string applicationId, string deviceId) => _connections.ContainsKey((applicationId, deviceId));

    /// <summary>A module's session is keyed <c>{device}/{module}</c> (IoT Hub client ids); only devices' own count.</summary>
    public IReadOnlyCollection<string> ConnectedDevices(string applicationId) =>
        _connections.Keys.Where(k => k.Application == applicationId && !k.ClientId.Contains('/', StringComparison.Ordinal)).Select(k => k.ClientId).ToList();
}
