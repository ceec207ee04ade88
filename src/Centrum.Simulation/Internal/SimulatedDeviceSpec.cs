using Centrum.Templates;

namespace Centrum.Simulation.Internal;

/// <summary>
/// What a simulated device needs to run: who it is, where it signs in, the template it plays, and its current primary
/// key, asked of the registry at each connection, so a device whose keys were replaced (which closes its connection)
/// signs in with the new ones.
/// </summary>
internal sealed record SimulatedDeviceSpec(string ApplicationId, string DeviceId, string HubHostName, DeviceTemplate Template, Func<CancellationToken, Task<string?>> PrimaryKey);
