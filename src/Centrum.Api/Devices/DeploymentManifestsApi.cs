using System.Text.Json.Nodes;
using Centrum.Api.Infrastructure;
using Centrum.Devices;
using Centrum.Identity.Authorization;
using Centrum.Outcomes;
using Centrum.Twins;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Centrum.Api.Devices;

/// <summary>
/// IoT Central's deployment manifest operations (REST API 2022-10-31-preview: <c>DeploymentManifests_List</c>,
/// <c>_Get</c>, <c>_Create</c>, <c>_Update</c>, <c>_Remove</c>) and <c>Devices_ApplyManifest</c>. A manifest says what an
/// IoT Edge device runs, as a device template says what a device is, so reading and managing manifests take the
/// template permissions; applying one changes the device, so it takes the device update permission.
/// </summary>
public static class DeploymentManifestsApi
{
    public static RouteGroupBuilder MapDeploymentManifestsApi(this RouteGroupBuilder api)
    {
        var manifests = api.MapGroup("/deploymentManifests");
        manifests.MapGet("/", ListAsync).RequirePermission(Permission.TemplatesRead);
        manifests.MapGet("/{deploymentManifestId}", GetAsync).RequirePermission(Permission.TemplatesRead);
        manifests.MapPut("/{deploymentManifestId}", CreateAsync).RequirePermission(Permission.TemplatesManage);
        manifests.MapPatch("/{deploymentManifestId}", UpdateAsync).RequirePermission(Permission.TemplatesManage);
        manifests.MapDelete("/{deploymentManifestId}", DeleteAsync).RequirePermission(Permission.TemplatesManage);
        api.MapPost("/devices/{deviceId}/applyDeploymentManifest", ApplyAsync).RequirePermission(Permission.DevicesUpdate);
        return api;
    }

    private static async Task<IResult> ListAsync(HttpContext context, DeploymentManifests manifests, AccessScope scope, int? maxpagesize)
    {
        if (Paging.Read(context, maxpagesize, DeploymentManifests.MaxPageSize, out var pageSize, out var after) is { } refused)
        {
            return refused;
        }

        var page = await manifests.ListAsync(context.Application().Id, after, pageSize, await scope.ReachAsync(context, Permission.TemplatesRead), context.RequestAborted);
        return page.Succeeded ? Paging.Page(context, page.Value.Manifests.Select(ToResponse).ToList(), page.Value.ContinueAfter) : ApiError.From(page.Problem);
    }

    private static async Task<IResult> GetAsync(HttpContext context, DeploymentManifests manifests, AccessScope scope, string deploymentManifestId) =>
        Answer(await manifests.GetAsync(context.Application().Id, deploymentManifestId, await scope.ReachAsync(context, Permission.TemplatesRead), context.RequestAborted));

    private static async Task<IResult> CreateAsync(HttpContext context, DeploymentManifests manifests, AccessScope scope, string deploymentManifestId)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request);
        if (error is not null)
        {
            return error;
        }

        if (!TryRead(body, deploymentManifestId, whole: true, out var write, out _, out var message))
        {
            return ApiError.BadRequest(message!);
        }

        var reach = await scope.ReachAsync(context, Permission.TemplatesManage);
        return Answer(await manifests.CreateOrReplaceAsync(context.Application().Id, deploymentManifestId, write, reach, context.RequestAborted));
    }

    /// <summary>A merge patch (RFC 7396): <c>data</c> is merged into the manifest's, <c>If-Match</c> (or the body's etag) guards it.</summary>
    private static async Task<IResult> UpdateAsync(HttpContext context, DeploymentManifests manifests, AccessScope scope, string deploymentManifestId)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request);
        if (error is not null)
        {
            return error;
        }

        if (!TryRead(body, deploymentManifestId, whole: false, out var write, out var etag, out var message))
        {
            return ApiError.BadRequest(message!);
        }

        var ifMatch = context.Request.Headers.IfMatch.FirstOrDefault()?.Trim('"') ?? etag;
        var reach = await scope.ReachAsync(context, Permission.TemplatesManage);
        return Answer(await manifests.UpdateAsync(context.Application().Id, deploymentManifestId, current =>
        {
            if (write.Data is null)
            {
                return write;
            }

            var merged = (JsonObject)current.Data.DeepClone();
            TwinDocuments.Merge(merged, write.Data);
            return write with { Data = merged };
        }, ifMatch, reach, context.RequestAborted));
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, DeploymentManifests manifests, AccessScope scope, string deploymentManifestId)
    {
        var deleted = await manifests.DeleteAsync(context.Application().Id, deploymentManifestId, await scope.ReachAsync(context, Permission.TemplatesManage), context.RequestAborted);
        return deleted.Succeeded ? Results.NoContent() : ApiError.From(deleted.Problem);
    }

    /// <summary>
    /// <c>Devices_ApplyManifest</c>: the body is a <c>DeploymentManifest</c> whose <c>data</c> is applied to the IoT Edge
    /// device (<see cref="DeploymentManifests.ApplyAsync(string, string, string?, string?, System.Text.Json.Nodes.JsonObject, CancellationToken)"/>); the answer echoes it, as the published example does.
    /// </summary>
    private static async Task<IResult> ApplyAsync(
        HttpContext context, DeploymentManifests manifests, DeviceRegistry registry, ModuleRegistry modules, AccessScope scope, string deviceId)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request);
        if (error is not null)
        {
            return error;
        }

        if (body is not JsonObject manifest || manifest["data"] is not JsonObject data)
        {
            return ApiError.BadRequest("The request body must be a deployment manifest with a 'data' object.");
        }

        var application = context.Application();
        var reach = await scope.ReachAsync(context, Permission.DevicesUpdate);
        var device = await registry.FindAsync(application.Id, deviceId, reach, context.RequestAborted);
        if (!device.Succeeded)
        {
            return ApiError.From(device.Problem);
        }

        if (!device.Value.IotEdge)
        {
            return ApiError.BadRequest($"Device '{deviceId}' is not an IoT Edge device; a deployment manifest applies to IoT Edge devices only.");
        }

        // The runtime's own module twins receive the deployment: a device made an IoT Edge device after its creation
        // may not hold them yet.
        if (await modules.EnsureSystemModulesAsync(application.Id, deviceId, reach, context.RequestAborted) is { } problem)
        {
            return ApiError.From(problem);
        }

        var applied = await manifests.ApplyAsync(application.Id, deviceId, Text(manifest["id"]), Text(manifest["displayName"]), data, context.RequestAborted);
        if (!applied.Succeeded)
        {
            return ApiError.From(applied.Problem);
        }

        // The published answer is the manifest with an etag; this one names the deployment the device now has (its
        // $edgeAgent desired version), so two applications of the same manifest answer different etags.
        var answer = (JsonObject)manifest.DeepClone();
        answer["etag"] = $"{deviceId}:{applied.Value.EdgeAgentVersion.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        return Results.Json(answer);
    }

    private static string? Text(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String ? v.GetValue<string>() : null;

    private static IResult Answer(Outcome<DeploymentManifest> outcome) =>
        outcome.Succeeded ? Results.Json(ToResponse(outcome.Value)) : ApiError.From(outcome.Problem);

    private static object ToResponse(DeploymentManifest manifest) => new
    {
        id = manifest.Id,
        displayName = manifest.DisplayName,
        data = manifest.Data,
        etag = manifest.ETag,
        organizations = manifest.Organizations.Count > 0 ? manifest.Organizations : null,
    };

    /// <summary>
    /// A <c>DeploymentManifest</c> body, read strictly: <c>data</c> is required on a PUT; on a PATCH it is a merge patch
    /// of the manifest's (applied by the caller). Unknown members and wrong types are refused, naming the field.
    /// </summary>
    private static bool TryRead(JsonNode? body, string manifestId, bool whole, out DeploymentManifestWrite write, out string? etag, out string? error)
    {
        write = new DeploymentManifestWrite(null, null, whole ? [] : null);
        etag = null;
        if (!StrictJson.TryObject(body, out var obj, out error))
        {
            return false;
        }

        foreach (var (name, value) in obj)
        {
            var read = name switch
            {
                "id" => StrictJson.TryId(value, manifestId, "deployment manifest", out error),
                "etag" => StrictJson.TryString(name, value, out etag, out error),
                "displayName" => StrictJson.TryString(name, value, out var text, out error) && StrictJson.Set(ref write, write with { DisplayName = text }),
                "data" => value is JsonObject data
                    ? StrictJson.Set(ref write, write with { Data = (JsonObject)data.DeepClone() })
                    : StrictJson.Fail("Field 'data' must be an object.", out error),
                "organizations" => StrictJson.TryOrganizations(value, out var organizations, out error) && StrictJson.Set(ref write, write with { Organizations = organizations }),
                _ => StrictJson.Fail(StrictJson.Unknown(name, "deployment manifest"), out error),
            };
            if (!read)
            {
                return false;
            }
        }

        if (whole && write.Data is null)
        {
            return StrictJson.Fail("Field 'data' is required.", out error);
        }

        if (whole && write.DisplayName is null)
        {
            write = write with { DisplayName = manifestId };
        }

        return true;
    }
}
