using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml;
using Centrum.Api.Infrastructure;
using Centrum.Devices.FileUploads;
using Centrum.Identity.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Centrum.Api.Devices;

/// <summary>
/// The application's file upload configuration (IoT Central REST API 2022-07-31 and 2022-10-31-preview,
/// <c>FileUploads_Get</c>, <c>FileUploads_Create</c>, <c>FileUploads_Update</c>, <c>FileUploads_Remove</c>): one per
/// application, the connection string's account key shown as <c>*****</c>, as IoT Central shows it. IoT Central keeps
/// file upload under its application settings, which only administrators manage, so every operation requires
/// <see cref="Permission.FileUploadsManage"/>. <c>readAccess</c> is a member of the preview only.
/// Also the uploads of one device (<c>GET /devices/{deviceId}/fileUploads</c>), which IoT Central's data-plane API
/// does not list: a Centrum extension (docs/api.md, "File uploads").
/// </summary>
public static class FileUploadsApi
{
    public static RouteGroupBuilder MapFileUploadsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/fileUploads", GetAsync).RequirePermission(Permission.FileUploadsManage);
        api.MapPut("/fileUploads", PutAsync).RequirePermission(Permission.FileUploadsManage);
        api.MapPatch("/fileUploads", PatchAsync).RequirePermission(Permission.FileUploadsManage);
        api.MapDelete("/fileUploads", DeleteAsync).RequirePermission(Permission.FileUploadsManage);
        api.MapGet("/devices/{deviceId}/fileUploads", ListDeviceUploadsAsync).RequirePermission(Permission.DeviceDataRead);
        return api;
    }

    private static async Task<IResult> GetAsync(HttpContext context, FileUploadService service)
    {
        var settings = await service.GetAsync(context.Application().Id, context.RequestAborted);
        return settings is null ? NotConfigured() : Results.Json(ToJson(settings, context));
    }

    private static async Task<IResult> PutAsync(HttpContext context, FileUploadService service)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request);
        return error ?? await SaveAsync(context, service, body, context.Request.Headers.IfMatch.FirstOrDefault());
    }

    private static async Task<IResult> PatchAsync(HttpContext context, FileUploadService service)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request);
        if (error is not null)
        {
            return error;
        }

        if (body is not JsonObject)
        {
            return ApiError.BadRequest("The body must be a JSON object (a merge patch).");
        }

        var current = await service.GetAsync(context.Application().Id, context.RequestAborted);
        if (current is null)
        {
            return NotConfigured();
        }

        // The current configuration with its key masked: a patch that leaves the connection string alone sends the mask
        // back, and the service keeps the stored key.
        var merged = JsonMergePatch.Apply(ToJson(current, context, withReadAccess: true), body);
        return await SaveAsync(context, service, merged, context.Request.Headers.IfMatch.FirstOrDefault() ?? current.ETag);
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, FileUploadService service) =>
        await service.RemoveAsync(context.Application().Id, context.RequestAborted) ? Results.NoContent() : NotConfigured();

    private static async Task<IResult> ListDeviceUploadsAsync(HttpContext context, FileUploadService service, Centrum.Devices.DeviceRegistry registry, string deviceId)
    {
        var application = context.Application().Id;
        if (await registry.GetAsync(application, deviceId, context.RequestAborted) is null)
        {
            return ApiError.NotFound($"Device '{deviceId}' was not found.");
        }

        var uploads = await service.ListAsync(application, deviceId, context.RequestAborted);
        return Results.Json(new JsonObject { ["value"] = new JsonArray(uploads.Select(UploadJson).ToArray<JsonNode?>()) });
    }

    private static async Task<IResult> SaveAsync(HttpContext context, FileUploadService service, JsonNode? body, string? ifMatch)
    {
        if (Read(body) is not { } write)
        {
            return ApiError.BadRequest(ReadError(body) ?? "The request body is not a file upload configuration.");
        }

        var saved = await service.SaveAsync(context.Application().Id, write, ifMatch?.Trim('"'), context.RequestAborted);
        return saved.Succeeded ? Results.Json(ToJson(saved.Value, context)) : ApiError.From(saved.Problem);
    }

    private static readonly HashSet<string> Members = new(StringComparer.Ordinal) { "account", "connectionString", "container", "sasTtl", "state", "etag", "readAccess" };

    /// <summary>The body as a configuration to write, or null when a member is missing, unknown or of the wrong type.</summary>
    private static FileUploadSettingsWrite? Read(JsonNode? body) =>
        ReadError(body) is null
            ? new FileUploadSettingsWrite(
                (string?)body!["account"], (string)body["connectionString"]!, (string)body["container"]!, (string?)body["sasTtl"], (bool?)body["readAccess"] ?? false)
            : null;

    private static string? ReadError(JsonNode? body)
    {
        if (body is not JsonObject obj)
        {
            return "The request body must be a JSON object.";
        }

        foreach (var (name, value) in obj)
        {
            if (!Members.Contains(name))
            {
                return StrictJson.Unknown(name, "file upload configuration");
            }

            var expected = name == "readAccess" ? JsonValueKind.True : JsonValueKind.String;
            var kind = value?.GetValueKind();
            if (value is not null && kind != expected && !(expected == JsonValueKind.True && kind == JsonValueKind.False))
            {
                return $"Field '{name}' must be a {(expected == JsonValueKind.True ? "boolean" : "string")}.";
            }
        }

        return obj["connectionString"] is null ? "Field 'connectionString' is required." : obj["container"] is null ? "Field 'container' is required." : null;
    }

    private static JsonObject ToJson(FileUploadSettings settings, HttpContext context, bool withReadAccess = false)
    {
        var json = new JsonObject
        {
            ["account"] = settings.Account,
            ["connectionString"] = settings.MaskedConnectionString,
            ["container"] = settings.Container,
            ["sasTtl"] = XmlConvert.ToString(settings.SasTtl),
            ["state"] = FileUploadSettings.Succeeded,
            ["etag"] = settings.ETag,
        };
        if (withReadAccess || context.Request.Query["api-version"] == ApiVersions.Preview)
        {
            json["readAccess"] = settings.ReadAccess;
        }

        return json;
    }

    private static JsonObject UploadJson(FileUploadRecord upload)
    {
        var json = new JsonObject
        {
            ["correlationId"] = upload.CorrelationId,
            ["container"] = upload.Container,
            ["blobName"] = upload.BlobName,
            ["created"] = upload.Created.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            ["expires"] = upload.Expires.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            ["state"] = upload.Completed is null ? "pending" : upload.IsSuccess == true ? "succeeded" : "failed",
        };
        if (upload.ModuleId is { } module)
        {
            json["moduleId"] = module;
        }

        if (upload.Completed is { } completed)
        {
            json["completed"] = completed.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
            json["statusCode"] = upload.StatusCode;
            json["statusDescription"] = upload.StatusDescription;
        }

        return json;
    }

    private static IResult NotConfigured() => ApiError.NotFound("No file upload configuration exists in this application.");
}
