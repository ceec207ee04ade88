using Centrum.Devices;
using Centrum.IotHub;
using Centrum.IotHub.Mqtt;
using Centrum.Security;

namespace Centrum.Edge.Downstream;

/// <summary>
/// Decides a downstream CONNECT as IoT Hub would for the same device: the user name <c>{hub}/{device}[/{module}]/?…</c>
/// (IoT Hub docs "Communicate with an IoT hub using the MQTT protocol"), a client id that matches it, and a SAS token
/// signed with one of the identity's keys for <c>{hub}/devices/{device}[/modules/{module}]</c> that has not expired
/// (IoT Hub docs "Control access to IoT Hub with shared access signatures"). The keys come from the device scope, so
/// the decision needs no cloud.
/// </summary>
internal sealed class DownstreamAuthenticator(DeviceScope scope, EdgeOptions options, TimeProvider time)
{
    public DownstreamDecision Authenticate(ConnectPacket connect)
    {
        if (HubUserName.Parse(connect.UserName) is not { } user)
        {
            return DownstreamDecision.Refuse(ConnectReturnCode.BadUserNameOrPassword, "user name is not {hub}/{device}/?…");
        }

        var clientId = user.ModuleId is null ? user.DeviceId : $"{user.DeviceId}/{user.ModuleId}";
        if (!string.Equals(connect.ClientId, clientId, StringComparison.Ordinal) || !DeviceIds.IsValid(user.DeviceId))
        {
            return DownstreamDecision.Refuse(ConnectReturnCode.IdentifierRejected, "client id does not match the user name's identity");
        }

        if (!string.Equals(user.HostName, options.HubHostName, StringComparison.OrdinalIgnoreCase))
        {
            return DownstreamDecision.Refuse(ConnectReturnCode.NotAuthorized, "user name names another hub");
        }

        if (scope.Find(user.DeviceId, user.ModuleId) is not { } identity)
        {
            return DownstreamDecision.Refuse(ConnectReturnCode.NotAuthorized, "not in this edge's device scope");
        }

        if (!identity.Enabled)
        {
            return DownstreamDecision.Refuse(ConnectReturnCode.NotAuthorized, "identity is disabled");
        }

        if (!SharedAccessSignature.TryParse(connect.Password, out var token))
        {
            return DownstreamDecision.Refuse(ConnectReturnCode.BadUserNameOrPassword, "password is not a SharedAccessSignature token");
        }

        if (!IsSignedBy(token!, identity.PrimaryKey) && !IsSignedBy(token!, identity.SecondaryKey))
        {
            return DownstreamDecision.Refuse(ConnectReturnCode.NotAuthorized, "signature does not match the identity's keys");
        }

        if (!SasResource.Names(token!.Resource, options.HubHostName, user.DeviceId, user.ModuleId))
        {
            return DownstreamDecision.Refuse(ConnectReturnCode.NotAuthorized, "token resource does not name this identity");
        }

        if (token.IsExpired(time.GetUtcNow(), options.ClockSkew))
        {
            return DownstreamDecision.Refuse(ConnectReturnCode.NotAuthorized, "token has expired");
        }

        var expiry = DateTimeOffset.FromUnixTimeSeconds(Math.Min(token.Expiry, DateTimeOffset.MaxValue.ToUnixTimeSeconds() - 1));
        return new DownstreamDecision(identity, expiry, ConnectReturnCode.Accepted, "accepted");
    }

    private static bool IsSignedBy(SharedAccessSignature token, string key) =>
        SymmetricKeys.TryDecode(key, out var bytes) && token.IsSignedBy(bytes);
}

/// <summary>A downstream CONNECT decided: the identity and until when its token holds, or the refusal.</summary>
internal sealed record DownstreamDecision(ScopeIdentity? Identity, DateTimeOffset Expiry, ConnectReturnCode Code, string Reason)
{
    public static DownstreamDecision Refuse(ConnectReturnCode code, string reason) => new(null, DateTimeOffset.MinValue, code, reason);
}
