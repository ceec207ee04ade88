namespace Centrum.Devices;

/// <summary>Names for what authenticated a connection, so revoking it can close exactly those connections.</summary>
public static class CredentialSources
{
    public const string Device = "device";

    public static string Group(string groupId) => "group:" + groupId;
}
