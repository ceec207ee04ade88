using System.Globalization;
using System.Security.Cryptography;

namespace Centrum.Devices;

/// <summary>
/// IoT Hub's generation ids of device and module identities: decimal numbers of 18 digits (IoT Hub docs "Device identity
/// properties": "an IoT hub-generated, case-sensitive string … used to distinguish devices with the same deviceId, when
/// they have been deleted and re-created"). Any string new on every creation serves; this one has IoT Hub's form.
/// </summary>
public static class GenerationIds
{
    public static string New() =>
        RandomNumberGenerator.GetInt32(100_000_000, 1_000_000_000).ToString(CultureInfo.InvariantCulture)
        + RandomNumberGenerator.GetInt32(100_000_000, 1_000_000_000).ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// An IoT Edge device's device scope, <c>ms-azure-iot-edge://{deviceId}-{generationId}</c> (Azure/iotedge
    /// <c>edge-hub/core/src/Microsoft.Azure.Devices.Edge.Hub.Core/DeviceScopeIdentitiesCache.cs</c>), which its
    /// downstream devices carry in <c>parentScopes</c>.
    /// </summary>
    public static string EdgeScope(string deviceId, string generationId) => $"ms-azure-iot-edge://{deviceId}-{generationId}";
}
