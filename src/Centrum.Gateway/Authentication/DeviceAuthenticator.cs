using Centrum.Applications;
using Centrum.Devices;
using Centrum.IotHub;
using Centrum.IotHub.Mqtt;
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
    IApplicationCatalog applications, DeviceRegistry registry, ModuleRegistry modules, DeviceRelationships relationships, DeviceCertificates certificates,
    IOptions<GatewayOptions> options, TimeProvider time)
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

        if (OnBehalfOf(connect.Password, user) is var (edgeId, edgeHubToken))
        {
            return await AuthenticateOnBehalfOfAsync(user, clientId, application, edgeId, edgeHubToken, cancellationToken);
        }

        if (user.ModuleId is not null)
        {
            return await AuthenticateModuleAsync(connect, user, application, clientCertificate, cancellationToken);
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
    private async Task<AuthenticationResult> AuthenticateModuleAsync(
        ConnectPacket connect, HubUserName user, Application application, X509Certificate2? clientCertificate, CancellationToken cancellationToken)
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

        if (module.AuthenticationType == "selfSigned")
        {
            return AuthenticateModuleCertificate(connect, user, application, module, clientCertificate);
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

    /// <summary>
    /// A SAS token of an edge device's IoT Edge hub (<c>{host}/devices/{edgeId}/modules/$edgeHub</c>) on another client's
    /// connection: the edge device's id and the token; null for any other password.
    /// </summary>
    private static (string EdgeId, SharedAccessSignature Token)? OnBehalfOf(string? password, HubUserName user) =>
        SharedAccessSignature.TryParse(password, out var token)
        && SasResource.TryIdentity(token!.Resource, out _, out var deviceId, out var moduleId)
        && moduleId == ModuleIds.EdgeHub
        && !(user.ModuleId == ModuleIds.EdgeHub && string.Equals(user.DeviceId, deviceId, StringComparison.OrdinalIgnoreCase))
            ? (deviceId, token)
            : null;

    /// <summary>
    /// A gateway's IoT Edge hub connecting upstream on behalf of a client in its device scope. The hub opens one MQTT
    /// connection per client: client id and user name are the client's, the user name carries <c>auth-chain</c> (the
    /// client, then the edge device), and the password is the hub's own token signed with the <c>$edgeHub</c> module's
    /// key (Azure/iotedge <c>edge-hub/core/src/Microsoft.Azure.Devices.Edge.Hub.CloudProxy/CloudConnectionProvider.cs</c>,
    /// <c>DeviceAuthentication.cs</c>, <c>ModuleAuthentication.cs</c>; <c>Microsoft.Azure.Devices.Edge.Hub.Core/ServiceIdentityTree.cs</c>
    /// for the chain; <c>edge-util/src/Microsoft.Azure.Devices.Edge.Util/SasTokenHelper.cs</c> for the token). Accepted
    /// for the edge device itself, its own modules, and a device a relationship makes downstream of it (IoT Hub: a device
    /// whose <c>parentScopes</c> hold the edge device's scope); any other client is refused as IoT Hub refuses a token that
    /// does not grant the identity, with "not authorized". IoT Central supports no nested edge, so the chain has one hop.
    /// </summary>
    private async Task<AuthenticationResult> AuthenticateOnBehalfOfAsync(
        HubUserName user, string clientId, Application application, string edgeId, SharedAccessSignature token, CancellationToken cancellationToken)
    {
        if (!SasResource.Names(token.Resource, user.HostName, edgeId, ModuleIds.EdgeHub))
        {
            return AuthenticationResult.Refuse(ConnectReturnCode.NotAuthorized, "token resource names another hub");
        }

        var edgeHub = await modules.FindForAuthenticationAsync(application.Id, edgeId, ModuleIds.EdgeHub, cancellationToken);
        if (edgeHub is null || !edgeHub.DeviceEnabled || !edgeHub.DeviceApproved || edgeHub.AuthenticationType != "sas" || !IsSignedByDevice(token, edgeHub.Keys))
        {
            return AuthenticationResult.Refuse(ConnectReturnCode.NotAuthorized, "token is not signed by an enabled edge device's IoT Edge hub");
        }

        if (token.IsExpired(time.GetUtcNow(), options.Value.ClockSkew))
        {
            return AuthenticationResult.Refuse(ConnectReturnCode.NotAuthorized, "token has expired");
        }

        var chain = clientId == edgeId ? edgeId : $"{clientId};{edgeId}";
        if (!string.Equals(user.AuthChain, chain, StringComparison.Ordinal))
        {
            return AuthenticationResult.Refuse(ConnectReturnCode.NotAuthorized, "auth-chain does not lead from the client to the token's edge device");
        }

        if (user.ModuleId is not null || user.DeviceId == edgeId)
        {
            if (user.DeviceId != edgeId)
            {
                return AuthenticationResult.Refuse(ConnectReturnCode.NotAuthorized, "a module of another device is outside the edge device's scope");
            }

            if (user.ModuleId is not null && await modules.FindForAuthenticationAsync(application.Id, edgeId, user.ModuleId, cancellationToken) is null)
            {
                return AuthenticationResult.Refuse(ConnectReturnCode.NotAuthorized, "unknown module");
            }
        }
        else
        {
            var device = await registry.FindForAuthenticationAsync(application.Id, user.DeviceId, cancellationToken);
            if (device is not { Enabled: true, Approved: true })
            {
                return AuthenticationResult.Refuse(ConnectReturnCode.NotAuthorized, "unknown, disabled or unapproved device");
            }

            if (!await relationships.IsInScopeAsync(application.Id, edgeId, user.DeviceId, cancellationToken))
            {
                return AuthenticationResult.Refuse(ConnectReturnCode.NotAuthorized, "device is not in the edge device's scope");
            }
        }

        var expiry = DateTimeOffset.FromUnixTimeSeconds(Math.Min(token.Expiry, DateTimeOffset.MaxValue.ToUnixTimeSeconds() - 1));
        return new AuthenticationResult(ConnectReturnCode.Accepted, "accepted",
            new DeviceIdentity(application, user.DeviceId, user.ModuleId, user.ModelId, expiry, CredentialSources.Gateway(edgeId, clientId)));
    }

    /// <summary>
    /// A <c>selfSigned</c> module: no password, and a TLS client certificate whose SHA-1 or SHA-256 thumbprint is one of
    /// the module's two (IoT Hub docs "Authenticate identities with X.509 certificates", self-signed thumbprints; the
    /// module form of the identity as the device SDKs connect with it), within its validity period.
    /// </summary>
    private AuthenticationResult AuthenticateModuleCertificate(
        ConnectPacket connect, HubUserName user, Application application, ModuleAuthentication module, X509Certificate2? certificate)
    {
        if (connect.Password is not null || certificate is null)
        {
            return AuthenticationResult.Refuse(ConnectReturnCode.NotAuthorized, "the module authenticates with its X.509 certificate, and none was presented");
        }

        var sha1 = certificate.Thumbprint;
        var sha256 = certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256);
        bool Matches(string? registered) =>
            registered is not null && (string.Equals(registered, sha1, StringComparison.OrdinalIgnoreCase) || string.Equals(registered, sha256, StringComparison.OrdinalIgnoreCase));
        if (!Matches(module.PrimaryThumbprint) && !Matches(module.SecondaryThumbprint))
        {
            return AuthenticationResult.Refuse(ConnectReturnCode.NotAuthorized, "the certificate's thumbprint is not the module's");
        }

        var now = time.GetUtcNow();
        if (now < certificate.NotBefore.ToUniversalTime() || now > certificate.NotAfter.ToUniversalTime())
        {
            return AuthenticationResult.Refuse(ConnectReturnCode.NotAuthorized, "the module's certificate is outside its validity period");
        }

        return new AuthenticationResult(
            ConnectReturnCode.Accepted, "accepted", new DeviceIdentity(application, user.DeviceId, user.ModuleId, user.ModelId, certificate.NotAfter.ToUniversalTime()));
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
