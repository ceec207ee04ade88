using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Centrum.Api.Infrastructure;
using Centrum.Identity.Authorization;
using Centrum.Provisioning.EnrollmentGroups;
using Centrum.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Centrum.Api.Provisioning;

/// <summary>IoT Central's enrollment groups and their X.509 signing certificates (IoT Central REST API reference, "Enrollment Groups").</summary>
public static partial class EnrollmentGroupsApi
{
    public static RouteGroupBuilder MapEnrollmentGroupsApi(this RouteGroupBuilder api)
    {
        var groups = api.MapGroup("/enrollmentGroups");
        groups.MapGet("/", ListAsync).RequirePermission(Permission.DeviceConnectivityRead);
        groups.MapGet("/{enrollmentGroupId}", GetAsync).RequirePermission(Permission.DeviceConnectivityRead);
        groups.MapPut("/{enrollmentGroupId}", CreateAsync).RequirePermission(Permission.DeviceConnectivityManage);
        groups.MapPatch("/{enrollmentGroupId}", UpdateAsync).RequirePermission(Permission.DeviceConnectivityManage);
        groups.MapDelete("/{enrollmentGroupId}", DeleteAsync).RequirePermission(Permission.DeviceConnectivityManage);
        groups.MapGet("/{enrollmentGroupId}/certificates/{entry}", GetCertificateAsync).RequirePermission(Permission.DeviceConnectivityRead);
        groups.MapPut("/{enrollmentGroupId}/certificates/{entry}", SetCertificateAsync).RequirePermission(Permission.DeviceConnectivityManage);
        groups.MapDelete("/{enrollmentGroupId}/certificates/{entry}", RemoveCertificateAsync).RequirePermission(Permission.DeviceConnectivityManage);
        groups.MapPost("/{enrollmentGroupId}/certificates/{entry}/generateVerificationCode", GenerateCodeAsync).RequirePermission(Permission.DeviceConnectivityManage);
        groups.MapPost("/{enrollmentGroupId}/certificates/{entry}/verify", VerifyAsync).RequirePermission(Permission.DeviceConnectivityManage);
        return api;
    }

    private static async Task<IResult> ListAsync(HttpContext context, EnrollmentGroupService groups, int? maxpagesize)
    {
        if (Paging.Read(context, maxpagesize, EnrollmentGroupService.MaxPageSize, out var pageSize, out var after) is { } error)
        {
            return error;
        }

        var application = context.Application();
        var (page, next) = await groups.ListAsync(application.Id, after, pageSize, context.RequestAborted);
        var value = page.Select(g => ToJson(g, application.IdScope)).ToList();
        return Paging.Page(context, value, next);
    }

    private static async Task<IResult> GetAsync(HttpContext context, EnrollmentGroupService groups, string enrollmentGroupId)
    {
        var application = context.Application();
        var group = await groups.GetAsync(application.Id, enrollmentGroupId, context.RequestAborted);
        return group is null ? NotFound(enrollmentGroupId) : Results.Json(ToJson(group, application.IdScope));
    }

    private static async Task<IResult> CreateAsync(HttpContext context, EnrollmentGroupService groups, string enrollmentGroupId)
    {
        if (enrollmentGroupId.Length > 255 || !IdRegex().IsMatch(enrollmentGroupId))
        {
            return ApiError.BadRequest("Enrollment group ids have at most 255 letters, digits and '-'.");
        }

        var (body, error) = await JsonBody.ReadAsync(context.Request);
        if (error is not null)
        {
            return error;
        }

        if (!TryRead(body, null, out var write, out var message))
        {
            return ApiError.BadRequest(message!);
        }

        var application = context.Application();
        var (outcome, group) = await groups.CreateOrReplaceAsync(application.Id, enrollmentGroupId, write!, context.RequestAborted);
        return outcome == GroupOutcome.Done
            ? Results.Json(ToJson(group!, application.IdScope))
            : ApiError.BadRequest("An enrollment group's attestation type cannot change.");
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, EnrollmentGroupService groups, string enrollmentGroupId)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request);
        if (error is not null)
        {
            return error;
        }

        string? message = null;
        var application = context.Application();
        var ifMatch = context.Request.Headers.IfMatch.FirstOrDefault()?.Trim('"') ?? (string?)(body as JsonObject)?["etag"];
        var (outcome, group) = await groups.UpdateAsync(application.Id, enrollmentGroupId, current => TryRead(body, current, out var write, out message) ? write : null, ifMatch, context.RequestAborted);
        return outcome switch
        {
            GroupOutcome.Done => Results.Json(ToJson(group!, application.IdScope)),
            GroupOutcome.NotFound => NotFound(enrollmentGroupId),
            GroupOutcome.ETagMismatch => ApiError.PreconditionFailed("The enrollment group's etag does not match; read it again."),
            _ => ApiError.BadRequest(message ?? "An enrollment group's attestation type cannot change."),
        };
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, EnrollmentGroupService groups, string enrollmentGroupId) =>
        await groups.DeleteAsync(context.Application().Id, enrollmentGroupId, context.RequestAborted) ? Results.NoContent() : NotFound(enrollmentGroupId);

    private static async Task<IResult> GetCertificateAsync(HttpContext context, EnrollmentGroupService groups, string enrollmentGroupId, string entry)
    {
        if (Entry(entry) is not { } primary)
        {
            return BadEntry();
        }

        var group = await groups.GetAsync(context.Application().Id, enrollmentGroupId, context.RequestAborted);
        var slot = primary ? group?.Primary : group?.Secondary;
        return slot is null ? CertificateNotFound(enrollmentGroupId, entry) : Results.Json(CertificateJson(slot, group!.ETag));
    }

    private static async Task<IResult> SetCertificateAsync(HttpContext context, EnrollmentGroupService groups, string enrollmentGroupId, string entry)
    {
        if (Entry(entry) is not { } primary)
        {
            return BadEntry();
        }

        var (obj, text, error) = await ReadCertificateBodyAsync(context.Request, "The body must be a SigningX509Certificate with a 'certificate' (base64 or PEM).");
        if (error is not null)
        {
            return error;
        }

        var verified = obj!["verified"] is JsonValue v && v.GetValueKind() == JsonValueKind.True;
        var (outcome, certificate, etag) = await groups.SetCertificateAsync(context.Application().Id, enrollmentGroupId, primary, text!, verified, context.RequestAborted);
        return outcome switch
        {
            // The answer carries the group's new etag (IoT Central REST API 2022-07-31, EnrollmentGroups_CreateX509 example).
            GroupOutcome.Done => Results.Json(CertificateJson(certificate!, etag)),
            GroupOutcome.NotFound => NotFound(enrollmentGroupId),
            _ => ApiError.BadRequest("The certificate is not a base64 or PEM X.509 certificate, or the group is not an X.509 group."),
        };
    }

    private static async Task<IResult> RemoveCertificateAsync(HttpContext context, EnrollmentGroupService groups, string enrollmentGroupId, string entry)
    {
        if (Entry(entry) is not { } primary)
        {
            return BadEntry();
        }

        return await groups.RemoveCertificateAsync(context.Application().Id, enrollmentGroupId, primary, context.RequestAborted) == GroupOutcome.Done
            ? Results.NoContent()
            : CertificateNotFound(enrollmentGroupId, entry);
    }

    private static async Task<IResult> GenerateCodeAsync(HttpContext context, EnrollmentGroupService groups, string enrollmentGroupId, string entry)
    {
        if (Entry(entry) is not { } primary)
        {
            return BadEntry();
        }

        var (outcome, code) = await groups.GenerateVerificationCodeAsync(context.Application().Id, enrollmentGroupId, primary, context.RequestAborted);
        return outcome == GroupOutcome.Done
            ? Results.Json(new { verificationCode = code })
            : CertificateNotFound(enrollmentGroupId, entry);
    }

    private static async Task<IResult> VerifyAsync(HttpContext context, EnrollmentGroupService groups, string enrollmentGroupId, string entry)
    {
        if (Entry(entry) is not { } primary)
        {
            return BadEntry();
        }

        var (_, text, error) = await ReadCertificateBodyAsync(context.Request, "The body must be an X509VerificationCertificate with a 'certificate'.");
        if (error is not null)
        {
            return error;
        }

        var (outcome, message) = await groups.VerifyAsync(context.Application().Id, enrollmentGroupId, primary, text!, context.RequestAborted);
        return outcome switch
        {
            GroupOutcome.Done => Results.NoContent(),
            GroupOutcome.NotFound => CertificateNotFound(enrollmentGroupId, entry),
            _ => ApiError.BadRequest(message!),
        };
    }

    /// <summary>Reads a body whose 'certificate' member is a string; the error names the expected shape.</summary>
    private static async Task<(JsonObject? Body, string? Certificate, IResult? Error)> ReadCertificateBodyAsync(HttpRequest request, string shape)
    {
        var (body, error) = await JsonBody.ReadAsync(request);
        if (error is not null)
        {
            return (null, null, error);
        }

        return body is JsonObject obj && obj["certificate"] is JsonValue text && text.GetValueKind() == JsonValueKind.String
            ? (obj, text.GetValue<string>(), null)
            : (null, null, ApiError.BadRequest(shape));
    }

    private static IResult CertificateNotFound(string enrollmentGroupId, string entry) =>
        ApiError.NotFound($"The {entry} certificate of enrollment group '{enrollmentGroupId}' was not found.");

    /// <summary>Reads a PUT body (<paramref name="current"/> null) or a merge patch over <paramref name="current"/>.</summary>
    private static bool TryRead(JsonNode? body, EnrollmentGroupWrite? current, out EnrollmentGroupWrite? write, out string? error)
    {
        write = null;
        error = null;
        if (body is not JsonObject obj)
        {
            error = "The request body must be a JSON object.";
            return false;
        }

        foreach (var (name, _) in obj)
        {
            if (name is not ("id" or "displayName" or "enabled" or "type" or "attestation" or "etag" or "idScope"))
            {
                error = $"Unknown field '{name}' in the enrollment group body.";
                return false;
            }
        }

        var displayName = Text(obj, "displayName") ?? current?.DisplayName;
        var type = Text(obj, "type") ?? current?.Type;
        var enabled = obj["enabled"] is JsonValue e && e.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? e.GetValue<bool>() : current?.Enabled ?? true;
        var attestation = obj["attestation"] as JsonObject;
        var attestationType = Text(attestation, "type") ?? current?.AttestationType;
        if (string.IsNullOrWhiteSpace(displayName))
        {
            error = "Field 'displayName' is required.";
            return false;
        }

        if (type is not ("iot" or "iotEdge"))
        {
            error = "Field 'type' must be 'iot' or 'iotEdge'.";
            return false;
        }

        if (attestationType is not ("symmetricKey" or "x509"))
        {
            error = attestationType == "tpm"
                ? "TPM attestation is not supported; use 'symmetricKey' or 'x509'."
                : "Field 'attestation.type' must be 'symmetricKey' or 'x509'.";
            return false;
        }

        var keys = attestation?["symmetricKey"] as JsonObject;
        var primaryKey = Text(keys, "primaryKey") ?? current?.PrimaryKey;
        var secondaryKey = Text(keys, "secondaryKey") ?? current?.SecondaryKey;
        if ((primaryKey is not null && !SymmetricKeys.TryDecode(primaryKey, out _)) || (secondaryKey is not null && !SymmetricKeys.TryDecode(secondaryKey, out _)))
        {
            error = "Symmetric keys must be base64 of at least 16 bytes.";
            return false;
        }

        write = new EnrollmentGroupWrite(displayName.Trim(), enabled, type, attestationType, primaryKey, secondaryKey);
        return true;
    }

    private static string? Text(JsonObject? obj, string name) =>
        obj?[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    private static object ToJson(EnrollmentGroup group, string idScope) => new
    {
        id = group.Id,
        displayName = group.DisplayName,
        enabled = group.Enabled,
        type = group.Type,
        attestation = group.AttestationType == "symmetricKey"
            ? (object)new { type = "symmetricKey", symmetricKey = new { primaryKey = group.PrimaryKey, secondaryKey = group.SecondaryKey } }
            : new
            {
                type = "x509",
                x509 = new
                {
                    signingCertificates = new
                    {
                        primary = group.Primary is null ? null : CertificateJson(group.Primary, null),
                        secondary = group.Secondary is null ? null : CertificateJson(group.Secondary, null),
                    },
                },
            },
        etag = group.ETag,
        idScope,
    };

    private static object CertificateJson(SigningCertificate certificate, string? etag) => new
    {
        verified = certificate.Verified,
        info = new { sha1Thumbprint = certificate.Thumbprint },
        etag,
    };

    private static bool? Entry(string entry) => entry switch
    {
        "primary" => true,
        "secondary" => false,
        _ => null,
    };

    private static IResult BadEntry() => ApiError.BadRequest("The certificate entry must be 'primary' or 'secondary'.");

    private static IResult NotFound(string id) => ApiError.NotFound($"Enrollment group '{id}' was not found.");

    [GeneratedRegex("^[a-zA-Z0-9-]+$")]
    private static partial Regex IdRegex();
}
