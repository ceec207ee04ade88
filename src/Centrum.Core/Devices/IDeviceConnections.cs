namespace Centrum.Devices;

/// <summary>
/// What the rest of the platform may ask of the device connections the gateway holds. On one node the gateway
/// implements it directly; on several nodes the call will travel over the event backbone to the node holding the
/// connection.
/// </summary>
public interface IDeviceConnections
{
    /// <summary>Closes the device's connection, if any (device disabled, deleted, or its keys changed).</summary>
    ValueTask DisconnectAsync(string applicationId, string deviceId, string reason);

    /// <summary>
    /// Closes the connection of one module of an IoT Edge device, if any (the module identity was deleted). A module's
    /// connection is known by its IoT Hub client id <c>{deviceId}/{moduleId}</c>, which the device's own disconnection
    /// covers too.
    /// </summary>
    ValueTask DisconnectModuleAsync(string applicationId, string deviceId, string moduleId, string reason) =>
        DisconnectAsync(applicationId, $"{deviceId}/{moduleId}", reason);

    /// <summary>Closes every connection a credential authenticated (an enrollment group disabled or changed).</summary>
    ValueTask DisconnectCredentialAsync(string applicationId, string credentialSource, string reason);

    /// <summary>Closes every connection of an application (suspended or deleted).</summary>
    ValueTask DisconnectApplicationAsync(string applicationId, string reason);

    bool IsConnected(string applicationId, string deviceId);

    /// <summary>
    /// The ids of the application's devices connected now (device connections, not their modules'): what a list
    /// filtered on the connection state selects, as <see cref="IsConnected"/> answers for each.
    /// </summary>
    IReadOnlyCollection<string> ConnectedDevices(string applicationId);
}
