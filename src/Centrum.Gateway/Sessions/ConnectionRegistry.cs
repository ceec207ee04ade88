using System.Collections.Concurrent;
using Centrum.Devices;

namespace Centrum.Gateway.Sessions;

/// <summary>The live connections of this node, one per (application, client id).</summary>
internal sealed class ConnectionRegistry : IDeviceConnections
{
    private readonly ConcurrentDictionary<(string Application, string ClientId), MqttConnection> _connections = new();

    public int Count => _connections.Count;

    /// <summary>Makes <paramref name="connection"/> the current one and returns the one it replaces, if any.</summary>
    public MqttConnection? Register(string applicationId, string clientId, MqttConnection connection)
    {
        MqttConnection? previous = null;
        _connections.AddOrUpdate((applicationId, clientId), connection, (_, old) =>
        {
            previous = old;
            return connection;
        });
        return previous;
    }

    /// <summary>Removes the entry only if it is still <paramref name="connection"/> (a takeover may have replaced it).</summary>
    public bool Remove(string applicationId, string clientId, MqttConnection connection) =>
        _connections.TryRemove(new KeyValuePair<(string, string), MqttConnection>((applicationId, clientId), connection));

    public MqttConnection? Find(string applicationId, string clientId) =>
        _connections.TryGetValue((applicationId, clientId), out var connection) ? connection : null;

    public ValueTask DisconnectAsync(string applicationId, string deviceId, string reason)
    {
        foreach (var (key, connection) in _connections)
        {
            if (key.Application == applicationId && (key.ClientId == deviceId || key.ClientId.StartsWith(deviceId + "/", StringComparison.Ordinal)))
            {
                connection.Close(reason);
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask DisconnectCredentialAsync(string applicationId, string credentialSource, string reason)
    {
        foreach (var (key, connection) in _connections)
        {
            if (key.Application == applicationId && connection.Identity?.CredentialSource == credentialSource)
            {
                connection.Close(reason);
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask DisconnectApplicationAsync(string applicationId, string reason)
    {
        foreach (var (key, connection) in _connections)
        {
            if (key.Application == applicationId)
            {
                connection.Close(reason);
            }
        }

        return ValueTask.CompletedTask;
    }

    public bool IsConnected(string applicationId, string deviceId) => _connections.ContainsKey((applicationId, deviceId));
}
