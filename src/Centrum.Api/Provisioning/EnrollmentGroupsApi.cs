using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Api.Infrastructure;
using Centrum.Identity.Authorization;
using Centrum.Outcomes;
using Centrum.Provisioning.EnrollmentGroups;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Centrum.Api.Provisioning;

/// <summary>IoT Central's enrollment groups and their X.509 signing certificates (IoT Central REST API reference, "Enrollment Groups").</summary>
public static class EnrollmentGroupsApi
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

    private static async Task<IResult> ListAsync(HttpContext context, EnrollmentGroupService groups, AccessScope scope, int? maxpagesize)
    {
        if (Paging.Read(context, maxpagesize, EnrollmentGroupService.MaxPageSize, out var pageSize, out var after) is { } error)
        {
            return error;
        }

        var application = context.Application();
        var (page, next) = await groups.ListAsync(application.Id, after, pageSize, await scope.ReachAsync(context, Permission.DeviceConnectivityRead), context.RequestAborted);
        var value = page.Select(g => ToJson(g, application.IdScope)).ToList();
        return Paging.Page(context, value, next);
    }

    private static async Task<IResult> GetAsync(HttpContext context, EnrollmentGroupService groups, AccessScope scope, string enrollmentGroupId)
    {
        var application = context.Application();
        var group = await groups.GetAsync(application.Id, enrollmentGroupId, await scope.ReachAsync(context, Permission.DeviceConnectivityRead), context.RequestAborted);
        return group is null ? NotFound(enrollmentGroupId) : Results.Json(ToJson(group, application.IdScope));
    }

    private static async Task<IResult> CreateAsync(HttpContext context, EnrollmentGroupService groups, AccessScope scope, string enrollmentGroupId)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request);
        if (error is not null)
        {
            return error;
        }

        var write = Read(body, null);
        if (!write.Succeeded)
        {
            return ApiError.From(write.Problem);
        }

        var application = context.Application();
        var saved = await groups.CreateOrReplaceAsync(application.Id, enrollmentGroupId, write.Value, await scope.ReachAsync(context, Permission.DeviceConnectivityManage), context.RequestAborted);
        return saved.Succeeded ? Results.Json(ToJson(saved.Value, application.IdScope)) : ApiError.From(saved.Problem);
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, EnrollmentGroupService groups, AccessScope scope, string enrollmentGroupId)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request);
        if (error is not null)
        {
            return error;
        }

        var application = context.Application();
        var ifMatch = context.Request.Headers.IfMatch.FirstOrDefault()?.Trim('"') ?? (string?)(body as JsonObject)?["etag"];
        var saved = await groups.UpdateAsync(application.Id, enrollmentGroupId, current => Read(body, current), ifMatch, await scope.ReachAsync(context, Permission.DeviceConnectivityManage), context.RequestAborted);
        return saved.Succeeded ? Results.Json(ToJson(saved.Value, application.IdScope)) : ApiError.From(saved.Problem);
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, EnrollmentGroupService groups, AccessScope scope, string enrollmentGroupId) =>
        await groups.DeleteAsync(context.Application().Id, enrollmentGroupId, await scope.ReachAsync(context, Permission.DeviceConnectivityManage), context.RequestAborted) is { Succeeded: false } refused
            ? ApiError.From(refused.Problem)
            : Results.NoContent();

    private static async Task<IResult> GetCertificateAsync(HttpContext context, EnrollmentGroupService groups, AccessScope scope, string enrollmentGroupId, string entry)
    {
        if (Entry(entry) is not { } primary)
        {
            return BadEntry();
        }

        var group = await groups.GetAsync(context.Application().Id, enrollmentGroupId, await scope.ReachAsync(context, Permission.DeviceConnectivityRead), context.RequestAborted);
        var slot = primary ? group?.Primary : group?.Secondary;
        return slot is null ? ApiError.From(EnrollmentGroupService.CertificateNotFound(enrollmentGroupId, primary)) : Results.Json(CertificateJson(slot, group!.ETag));
    }

    private static async Task<IResult> SetCertificateAsync(HttpContext context, EnrollmentGroupService groups, AccessScope scope, string enrollmentGroupId, string entry)
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
        var set = await groups.SetCertificateAsync(context.Application().Id, enrollmentGroupId, primary, text!, verified, await scope.ReachAsync(context, Permission.DeviceConnectivityManage), context.RequestAborted);

        // The answer carries the group's new etag (IoT Central REST API 2022-07-31, EnrollmentGroups_CreateX509 example).
        return set.Succeeded ? Results.Json(CertificateJson(set.Value.Certificate, set.Value.ETag)) : ApiError.From(set.Problem);
    }

    private static async Task<IResult> RemoveCertificateAsync(HttpContext context, EnrollmentGroupService groups, AccessScope scope, string enrollmentGroupId, string entry)
    {
        if (Entry(entry) is not { } primary)
        {
            return BadEntry();
        }

        var removed = await groups.RemoveCertificateAsync(context.Application().Id, enrollmentGroupId, primary, await scope.ReachAsync(context, Permission.DeviceConnectivityManage), context.RequestAborted);
        return removed.Succeeded ? Results.NoContent() : ApiError.From(removed.Problem);
    }

    private static async Task<IResult> GenerateCodeAsync(HttpContext context, EnrollmentGroupService groups, AccessScope scope, string enrollmentGroupId, string entry)
    {
        if (Entry(entry) is not { } primary)
        {
            return BadEntry();
        }

        var code = await groups.GenerateVerificationCodeAsync(context.Application().Id, enrollmentGroupId, primary, await scope.ReachAsync(context, Permission.DeviceConnectivityManage), context.RequestAborted);
        return code.Succeeded ? Results.Json(new { verificationCode = code.Value }) : ApiError.From(code.Problem);
    }

    private static async Task<IResult> VerifyAsync(HttpContext context, EnrollmentGroupService groups, AccessScope scope, string enrollmentGroupId, string entry)
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

        var verified = await groups.VerifyAsync(context.Application().Id, enrollmentGroupId, primary, text!, await scope.ReachAsync(context, Permission.DeviceConnectivityManage), context.RequestAborted);
        return verified.Succeeded ? Results.NoContent() : ApiError.From(verified.Problem);
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

    /// <summary>
    /// Reads a PUT body (<paramref name="current"/> null) or a merge patch over <paramref name="current"/>: the wire form
    /// only; the service holds the result to the enrollment group rules.
    /// </summary>
    private static Outcome<EnrollmentGroupWrite> Read(JsonNode? body, EnrollmentGroupWrite? current)
    {
        if (body is not JsonObject obj)
        {
            return Problem.Invalid("The request body must be a JSON object.");
        }

        foreach (var (name, _) in obj)
        {
            if (name is not ("id" or "displayName" or "enabled" or "type" or "attestation" or "etag" or "idScope"))
            {
                return Problem.Invalid($"Unknown field '{name}' in the enrollment group body.");
            }
        }

        var enabled = obj["enabled"] is JsonValue e && e.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? e.GetValue<bool>() : current?.Enabled ?? true;
        var attestation = obj["attestation"] as JsonObject;
        var keys = attestation?["symmetricKey"] as JsonObject;
        return new EnrollmentGroupWrite(
            (Text(obj, "displayName") ?? current?.DisplayName ?? "").Trim(), enabled, Text(obj, "type") ?? current?.Type ?? "",
            Text(attestation, "type") ?? current?.AttestationType ?? "", Text(keys, "primaryKey") ?? current?.PrimaryKey, Text(keys, "secondaryKey") ?? current?.SecondaryKey);
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
            ? group.PrimaryKey is null
                ? new { type = "symmetricKey" } // the keys are withheld from this caller (EnrollmentGroupService.GetAsync)
                : (object)new { type = "symmetricKey", symmetricKey = new { primaryKey = group.PrimaryKey, secondaryKey = group.SecondaryKey } }
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

    private static IResult NotFound(string id) => ApiError.From(EnrollmentGroupService.NotFound(id));
}
