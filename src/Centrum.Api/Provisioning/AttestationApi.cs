using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Api.Infrastructure;
using Centrum.Devices;
using Centrum.Identity.Authorization;
using Centrum.Provisioning.Certificates;
using Centrum.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Centrum.Api.Provisioning;

/// <summary>A device's individual enrollment: IoT Central's <c>/devices/{id}/attestation</c> (symmetric key or X.509).</summary>
public static class AttestationApi
{
    public static RouteGroupBuilder MapAttestationApi(this RouteGroupBuilder api)
    {
        api.MapGet("/devices/{deviceId}/attestation", GetAsync).RequirePermission(Permission.DeviceConnectivityRead);
        api.MapPut("/devices/{deviceId}/attestation", (HttpContext c, DeviceRegistry r, AccessScope s, string deviceId) => SetAsync(c, r, s, deviceId, patch: false)).RequirePermission(Permission.DeviceConnectivityManage);
        api.MapPatch("/devices/{deviceId}/attestation", (HttpContext c, DeviceRegistry r, AccessScope s, string deviceId) => SetAsync(c, r, s, deviceId, patch: true)).RequirePermission(Permission.DeviceConnectivityManage);
        api.MapDelete("/devices/{deviceId}/attestation", DeleteAsync).RequirePermission(Permission.DeviceConnectivityManage);
        return api;
    }

    private static async Task<IResult> GetAsync(HttpContext context, DeviceRegistry registry, string deviceId)
    {
        var application = context.Application();
        if (await registry.GetAsync(application.Id, deviceId, context.RequestAborted) is null)
        {
            return DeviceNotFound(deviceId);
        }

        var attestation = await registry.GetAttestationAsync(application.Id, deviceId, context.RequestAborted);
        return attestation is null
            ? ApiError.NotFound($"Device '{deviceId}' has no individual attestation; it provisions through an enrollment group.")
            : Results.Json(ToJson(attestation));
    }

    private static async Task<IResult> SetAsync(HttpContext context, DeviceRegistry registry, AccessScope scope, string deviceId, bool patch)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request);
        if (error is not null)
        {
            return error;
        }

        var application = context.Application();
        var current = patch ? await registry.GetAttestationAsync(application.Id, deviceId, context.RequestAborted) : null;
        if (body is not JsonObject obj)
        {
            return ApiError.BadRequest("The request body must be an Attestation object.");
        }

        var type = (obj["type"] as JsonValue)?.GetValueKind() == JsonValueKind.String ? obj["type"]!.GetValue<string>() : current?.Type;
        DeviceAttestation attestation;
        switch (type)
        {
            case "symmetricKey":
                var keys = obj["symmetricKey"] as JsonObject;
                var primary = (string?)keys?["primaryKey"] ?? current?.SymmetricKey?.PrimaryKey ?? SymmetricKeys.Generate();
                var secondary = (string?)keys?["secondaryKey"] ?? current?.SymmetricKey?.SecondaryKey ?? SymmetricKeys.Generate();
                attestation = new DeviceAttestation("symmetricKey", new DeviceKeys(primary, secondary), null, null);
                break;
            case "x509":
                var certificates = obj["x509"]?["clientCertificates"] as JsonObject;
                if (!TryThumbprint(certificates?["primary"], current?.X509PrimaryThumbprint, out var primaryThumbprint, out var message)
                    || !TryThumbprint(certificates?["secondary"], current?.X509SecondaryThumbprint, out var secondaryThumbprint, out message))
                {
                    return ApiError.BadRequest(message!);
                }

                if (primaryThumbprint is null)
                {
                    return ApiError.BadRequest("An X.509 attestation needs 'x509.clientCertificates.primary.certificate'.");
                }

                attestation = new DeviceAttestation("x509", null, primaryThumbprint, secondaryThumbprint);
                break;
            case "tpm":
                return ApiError.BadRequest("TPM attestation is not supported; use 'symmetricKey' or 'x509'.");
            default:
                return ApiError.BadRequest("Field 'type' must be 'symmetricKey' or 'x509'.");
        }

        var reach = await scope.ReachAsync(context, Permission.DeviceConnectivityManage);
        var set = await registry.SetAttestationAsync(application.Id, deviceId, attestation, reach, context.RequestAborted);
        return set.Succeeded ? Results.Json(ToJson(attestation)) : ApiError.From(set.Problem);
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, DeviceRegistry registry, AccessScope scope, string deviceId)
    {
        var reach = await scope.ReachAsync(context, Permission.DeviceConnectivityManage);
        var removed = await registry.SetAttestationAsync(context.Application().Id, deviceId, null, reach, context.RequestAborted);
        return removed.Succeeded ? Results.NoContent() : ApiError.From(removed.Problem);
    }

    private static bool TryThumbprint(JsonNode? entry, string? current, out string? thumbprint, out string? error)
    {
        error = null;
        thumbprint = current;
        if (entry is null)
        {
            return true;
        }

        if (!CertificateText.TryParse((string?)entry["certificate"], out var certificate))
        {
            error = "A client certificate must be base64 or PEM.";
            return false;
        }

        thumbprint = CertificateText.Thumbprint(certificate!);
        return true;
    }

    private static object ToJson(DeviceAttestation attestation) => attestation.Type == "x509"
        ? new
        {
            type = "x509",
            x509 = new
            {
                clientCertificates = new
                {
                    primary = new { info = new { sha1Thumbprint = attestation.X509PrimaryThumbprint } },
                    secondary = attestation.X509SecondaryThumbprint is null ? null : new { info = new { sha1Thumbprint = attestation.X509SecondaryThumbprint } },
                },
            },
        }
        : new { type = "symmetricKey", symmetricKey = (object)new { primaryKey = attestation.SymmetricKey!.PrimaryKey, secondaryKey = attestation.SymmetricKey.SecondaryKey } };

    private static IResult DeviceNotFound(string deviceId) => ApiError.NotFound($"Device '{deviceId}' was not found.");
}
