namespace Centrum.Commands;

/// <summary>Limits of commands and cloud-to-device messages (IoT Hub docs "Understand cloud-to-device messaging from an IoT hub", "Understand and invoke direct methods from IoT Hub", "IoT Hub quotas and throttling").</summary>
public static class CommandLimits
{
    /// <summary>Direct method payloads, each way.</summary>
    public const int MaxMethodPayload = 128 * 1024;

    /// <summary>IoT Central's timeout for standard commands; IoT Hub's API default.</summary>
    public static readonly TimeSpan DefaultResponseTimeout = TimeSpan.FromSeconds(30);

    /// <summary>IoT Central's bounds for the response timeout: 5 to 30 seconds (IoT Central REST API 2022-07-31, <c>DeviceCommand.responseTimeout</c>).</summary>
    public static readonly TimeSpan MinResponseTimeout = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan MaxResponseTimeout = TimeSpan.FromSeconds(30);

    /// <summary>IoT Central's bound for the connection timeout: 0 to 30 seconds (IoT Central REST API 2022-07-31, <c>DeviceCommand.connectionTimeout</c>).</summary>
    public static readonly TimeSpan MaxConnectionTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Messages waiting per device; enqueueing beyond fails.</summary>
    public const int MaxQueuedMessages = 50;

    public const int MaxMessageBody = 64 * 1024;

    public static readonly TimeSpan DefaultMessageTtl = TimeSpan.FromHours(1);

    public static readonly TimeSpan MinMessageTtl = TimeSpan.FromMinutes(1);

    public static readonly TimeSpan MaxMessageTtl = TimeSpan.FromHours(48);

    /// <summary>IoT Central queues offline commands for 24 hours by default.</summary>
    public static readonly TimeSpan OfflineCommandTtl = TimeSpan.FromHours(24);

    /// <summary>
    /// Method names are case-sensitive and must not contain <c>$ ( ) &lt; &gt; @ , ; : \ " / [ ] ? = { }</c>, space or
    /// tab, nor MQTT's <c>+</c> and <c>#</c>; <c>*</c> separates a component from its command.
    /// </summary>
    public static bool IsValidMethodName(string name) =>
        name.Length is > 0 and <= 128 && !name.Any(c => c < 0x20 || "$()<>@,;:\\\"/[]?={} \t+#".Contains(c));
}
