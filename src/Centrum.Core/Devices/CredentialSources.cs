namespace Centrum.Devices;

/// <summary>Names for what authenticated a connection, so revoking it can close exactly those connections.</summary>
public static class CredentialSources
{
    public const string Device = "device";

    public static string Group(string groupId) => "group:" + groupId;

    /// <summary>
    /// A gateway's IoT Edge hub authenticated on the device's behalf: closed when the relationship that put the device in
    /// the gateway's scope goes. <c>/</c> separates the ids, as no device id holds one.
    /// </summary>
    public static string Gateway(string gatewayId, string deviceId) => $"gateway:{gatewayId}/{deviceId}";
}
