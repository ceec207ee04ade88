using Centrum.Templates;

namespace Centrum.Simulation.Internal;

/// <summary>What a simulated device needs to run: who it is, how it signs in, and the template it plays.</summary>
internal sealed record SimulatedDeviceSpec(string ApplicationId, string DeviceId, string HubHostName, string PrimaryKey, DeviceTemplate Template);
