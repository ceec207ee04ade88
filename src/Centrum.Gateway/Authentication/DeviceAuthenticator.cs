using Centrum.Applications;
using Centrum.Devices;
using Centrum.Gateway.IotHub;
using Centrum.Gateway.Mqtt;
using Centrum.Provisioning.Registration;
using Centrum.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace Centrum.Gateway.Authentication;

/// <summary>The identity a CONNECT established.</summary>
internal sealed record DeviceIdentity(Application Application, string DeviceId, string? ModuleId, string? ModelId, DateTimeOffset CredentialExpiry, string CredentialSource = CredentialSources.Device)
{
    public string ClientId => ModuleId is null ? DeviceId : $"{DeviceId}/{ModuleId}";
}

internal readonly record struct AuthenticationResult(ConnectReturnCode Code, string Reason, DeviceIdentity? Identity)
{
    public static AuthenticationResult Refuse(ConnectReturnCode code, string reason) => new(code, reason, null);
}

/// <summary>
/// Decides a CONNECT (IoT Hub docs "Communicate with an IoT hub using the MQTT protocol", "Using the MQTT protocol directly"): the user name names the hub host (hence the application) and the
/// device; the password is a SAS token signed with one of the device's keys over <c>sr</c> exactly as sent, or, with
/// no password, the TLS client certificate must be the device's or chain to a verified enrollment group CA (IoT Hub docs "Authenticate identities with X.509 certificates").
/// </summary>
internal sealed class DeviceAuthenticator(
    IApplicationCatalog applications, DeviceRegistry registry, ModuleRegistry modules, DeviceCertificates certificates, IOptions<GatewayOptions> options, TimeProvider time)
{
    public async Task<AuthenticationResult> AuthenticateAsync(ConnectPacket connect, X509Certificate2? clientCertificate, CancellationToken cancellationToken)
    {
        var user = HubUserName.Parse(connect.UserName);
        if (user is null)
        {
            return AuthenticationResult.Refuse(ConnectReturnCode.BadUserNameOrPassword, "user name is not {hub}/{device}/?…");
        }

        var clientId = user.ModuleId is null ? user.DeviceId : $"{user.DeviceId}/{user.ModuleId}";
        if (!string.Equals(connect.ClientId, clientId, StringComparison.Ordinal) || !DeviceIds.IsValid(user.DeviceId))
        {
            return AuthenticationResult.Refuse(ConnectReturnCode.IdentifierRejected, "client id does not match the user name's identity");
        }

        var application = await applications.FindByHubHostAsync(user.HostName, cancellationToken);
        if (application is null || application.Suspended)
        {
            return AuthenticationResult.Refuse(ConnectReturnCode.NotAuthorized, "unknown or suspended hub host name");
        }

        if (user.ModuleId is not null)
        {
            return await AuthenticateModuleAsync(connect, user, application, cancellationToken);
        }

        var device = await registry.FindForAuthenticationAsync(application.Id, user.DeviceId, cancellationToken);
        if (device is null)
        {
            return AuthenticationResult.Refuse(ConnectReturnCode.NotAuthorized, "unknown device");
        }

        if (!device.Enabled)
        {
            return AuthenticationResult.Refuse(ConnectReturnCode.NotAuthorized, "device is disabled");
        }

        if (!device.Approved)
        {
            return AuthenticationResult.Refuse(ConnectReturnCode.NotAuthorized, "device waits for approval");
        }

        if (connect.Password is null)
        {
            if (clientCertificate is null)
            {
                return AuthenticationResult.Refuse(ConnectReturnCode.NotAuthorized, "neither a SAS token nor a client certificate was presented");
            }

            var check = await certificates.CheckAsync(application.Id, user.DeviceId, clientCertificate, device, cancellationToken);
            return check.Trusted
                ? new AuthenticationResult(ConnectReturnCode.Accepted, "accepted", new DeviceIdentity(application, user.DeviceId, null, user.ModelId, clientCertificate.NotAfter.ToUniversalTime(), check.CredentialSource!))
                : AuthenticationResult.Refuse(ConnectReturnCode.NotAuthorized, check.Reason);
        }

        if (!SharedAccessSignature.TryParse(connect.Password, out var token))
        {
            return AuthenticationResult.Refuse(ConnectReturnCode.BadUserNameOrPassword, "password is not a SharedAccessSignature token");
        }

        if (!IsSignedByDevice(token!, device.Keys))
        {
            return AuthenticationResult.Refuse(ConnectReturnCode.NotAuthorized, "signature does not match the device's keys");
        }

        if (!NamesIdentity(token!.Resource, user.HostName, user.DeviceId))
        {
            return AuthenticationResult.Refuse(ConnectReturnCode.NotAuthorized, "token resource does not name this device");
        }

        if (token.IsExpired(time.GetUtcNow(), options.Value.ClockSkew))
        {
            return AuthenticationResult.Refuse(ConnectReturnCode.NotAuthorized, "token has expired");
        }

        var expiry = DateTimeOffset.FromUnixTimeSeconds(Math.Min(token.Expiry, DateTimeOffset.MaxValue.ToUnixTimeSeconds() - 1));
        return new AuthenticationResult(ConnectReturnCode.Accepted, "accepted", new DeviceIdentity(application, user.DeviceId, null, user.ModelId, expiry));
    }

    /// <summary>
    /// A request of IoT Hub's HTTPS device API, held to a CONNECT's rules: the request's host name and the path's
    /// device take the user name's place, the <c>Authorization</c> header (<c>SharedAccessSignature sr=…</c>) the
    /// password's, and without one the TLS client certificate decides (IoT Hub REST reference "Device - Send Device
    /// Event": the same SAS token or X.509 authentication as the other protocols).
    /// </summary>
    public Task<AuthenticationResult> AuthenticateRequestAsync(string hostName, string deviceId, string? authorization, X509Certificate2? clientCertificate, CancellationToken cancellationToken) =>
        AuthenticateAsync(
            new ConnectPacket("HTTPS", 0, deviceId, CleanSession: true, 0, $"{hostName}/{deviceId}/", string.IsNullOrEmpty(authorization) ? null : authorization, null, null, 0),
            clientCertificate,
            cancellationToken);

    /// <summary>
    /// A module of an IoT Edge device: client id <c>{deviceId}/{moduleId}</c>, a SAS token signed with the module's own
    /// keys for <c>{host}/devices/{deviceId}/modules/{moduleId}</c> (IoT Hub docs "Control access to IoT Hub with shared
    /// access signatures", module scope; azure-iot-sdk-node <c>device/core/src/module_client.ts</c>), while its device is
    /// enabled and approved. Modules of Centrum authenticate with SAS only.
    /// </summary>
    private async Task<AuthenticationResult> AuthenticateModuleAsync(ConnectPacket connect, HubUserName user, Application application, CancellationToken cancellationToken)
    {
        var module = await modules.FindForAuthenticationAsync(application.Id, user.DeviceId, user.ModuleId!, cancellationToken);
        if (module is null)
        {
            return AuthenticationResult.Refuse(ConnectReturnCode.NotAuthorized, "unknown module");
        }

        if (!module.DeviceEnabled || !module.DeviceApproved)
        {
            return AuthenticationResult.Refuse(ConnectReturnCode.NotAuthorized, "the module's device is disabled or waits for approval");
        }

        if (module.AuthenticationType != "sas" || !SharedAccessSignature.TryParse(connect.Password, out var token))
        {
            return AuthenticationResult.Refuse(ConnectReturnCode.BadUserNameOrPassword, "password is not a SharedAccessSignature token");
        }

        if (!IsSignedByDevice(token!, module.Keys) || !SasResource.Names(token!.Resource, user.HostName, user.DeviceId, user.ModuleId))
        {
            return AuthenticationResult.Refuse(ConnectReturnCode.NotAuthorized, "token is not the module's");
        }

        if (token.IsExpired(time.GetUtcNow(), options.Value.ClockSkew))
        {
            return AuthenticationResult.Refuse(ConnectReturnCode.NotAuthorized, "token has expired");
        }

        var expiry = DateTimeOffset.FromUnixTimeSeconds(Math.Min(token.Expiry, DateTimeOffset.MaxValue.ToUnixTimeSeconds() - 1));
        return new AuthenticationResult(ConnectReturnCode.Accepted, "accepted", new DeviceIdentity(application, user.DeviceId, user.ModuleId, user.ModelId, expiry));
    }

    private static bool IsSignedByDevice(SharedAccessSignature token, DeviceKeys keys) =>
        (SymmetricKeys.TryDecode(keys.PrimaryKey, out var primary) && token.IsSignedBy(primary))
        || (SymmetricKeys.TryDecode(keys.SecondaryKey, out var secondary) && token.IsSignedBy(secondary));

    /// <summary>Device-key tokens must name exactly <c>{host}/devices/{deviceId}</c>; the host part compares case-insensitively.</summary>
    private static bool NamesIdentity(string resource, string hostName, string deviceId)
    {
        var slash = resource.IndexOf('/', StringComparison.Ordinal);
        return slash > 0
            && string.Equals(resource[..slash], hostName, StringComparison.OrdinalIgnoreCase)
            && string.Equals(resource[(slash + 1)..], "devices/" + deviceId, StringComparison.Ordinal);
    }
}
