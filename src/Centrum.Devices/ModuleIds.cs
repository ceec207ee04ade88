namespace Centrum.Devices;

/// <summary>
/// Module ids: 1 to 128 characters (IoT Hub documentation, "Module identity properties"). Centrum accepts the subset that
/// is also safe in MQTT topics and client ids (letters, digits, <c>-</c>, <c>.</c>, <c>_</c>, <c>:</c>); a leading
/// <c>$</c> is reserved for the IoT Edge runtime's own modules, <see cref="EdgeAgent"/> and <see cref="EdgeHub"/>.
/// </summary>
public static class ModuleIds
{
    public const int MaxLength = 128;

    public const string EdgeAgent = "$edgeAgent";

    public const string EdgeHub = "$edgeHub";

    /// <summary>The modules IoT Hub holds for every IoT Edge device from its creation.</summary>
    public static IReadOnlyList<string> System { get; } = [EdgeAgent, EdgeHub];

    public static bool IsSystem(string id) => id is EdgeAgent or EdgeHub;

    public static bool IsValid(string? id) => id is not null && (IsSystem(id) || DeviceIds.IsValid(id));
}
