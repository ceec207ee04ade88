using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Api.Infrastructure;
using Centrum.Applications;
using Centrum.Identity.Applications;
using Centrum.Storage;
using Microsoft.Extensions.Options;

namespace Centrum.Server.Administration;

/// <summary>
/// The platform's administration API, on the management port only: applications listed, created, suspended, resumed
/// and deleted. Callers present the administration key (<c>Authorization: Bearer …</c>); there is no other way in.
/// </summary>
internal static class AdministrationApi
{
    public static IEndpointRouteBuilder MapAdministrationApi(this IEndpointRouteBuilder endpoints)
    {
        var admin = endpoints.MapGroup("/admin/applications").AllowAnonymous().AddEndpointFilter(RequireKey);
        admin.MapGet("/", async (ApplicationAdministration administration, CancellationToken ct) =>
            Results.Json(new { value = (await administration.ListAsync(ct)).Select(ApplicationLifecycle.ToJson) }));
        admin.MapGet("/{applicationId}", async (IApplicationCatalog catalog, string applicationId, CancellationToken ct) =>
            await catalog.FindByIdAsync(applicationId, ct) is { } application ? Results.Json(ApplicationLifecycle.ToJson(application)) : NotFound(applicationId));
        admin.MapPut("/{applicationId}", CreateAsync);
        admin.MapPost("/{applicationId}/suspend", async (ApplicationLifecycle lifecycle, string applicationId, CancellationToken ct) =>
            await lifecycle.SuspendAsync(applicationId, ct) ? Results.NoContent() : NotFound(applicationId));
        admin.MapPost("/{applicationId}/resume", async (ApplicationLifecycle lifecycle, string applicationId, CancellationToken ct) =>
            await lifecycle.ResumeAsync(applicationId, ct) ? Results.NoContent() : NotFound(applicationId));
        admin.MapDelete("/{applicationId}", async (ApplicationLifecycle lifecycle, string applicationId, CancellationToken ct) =>
        {
            try
            {
                return await lifecycle.DeleteAsync(applicationId, ct) ? Results.NoContent() : NotFound(applicationId);
            }
            catch (InvalidOperationException ex)
            {
                return ApiError.Conflict(ex.Message);
            }
        });
        return endpoints;
    }

    private static async ValueTask<object?> RequireKey(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var header = http.Request.Headers.Authorization.ToString();
        var storage = http.RequestServices.GetRequiredService<IOptions<StorageOptions>>().Value;
        return header.StartsWith("Bearer ", StringComparison.Ordinal) && AdministrationKey.Verify(storage, header["Bearer ".Length..])
            ? await next(context)
            : ApiError.Result(StatusCodes.Status401Unauthorized, "Unauthorized", "Present the administration key: Authorization: Bearer <key> (centrum admin key).");
    }

    private static async Task<IResult> CreateAsync(HttpContext context, ApplicationAdministration administration, string applicationId)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request);
        if (error is not null)
        {
            return error;
        }

        if (body is not JsonObject obj || obj.Any(p => p.Key is not ("displayName" or "hubHostName" or "autoApprove" or "telemetryRetention"))
            || obj.Any(p => p.Key is "displayName" or "hubHostName" && p.Value?.GetValueKind() is not (null or JsonValueKind.String or JsonValueKind.Null))
            || (obj["autoApprove"] is { } approve && approve.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False)))
        {
            return ApiError.BadRequest("The body takes displayName, hubHostName, autoApprove (bool) and telemetryRetention (d.hh:mm:ss).");
        }

        TimeSpan? retention = null;
        if (obj["telemetryRetention"] is JsonValue r && (r.GetValueKind() != JsonValueKind.String || !TimeSpan.TryParse((string)r!, System.Globalization.CultureInfo.InvariantCulture, out var parsed)))
        {
            return ApiError.BadRequest("telemetryRetention: a duration such as 7.00:00:00.");
        }
        else if (obj["telemetryRetention"] is JsonValue value)
        {
            retention = TimeSpan.Parse((string)value!, System.Globalization.CultureInfo.InvariantCulture);
        }

        try
        {
            var created = await administration.CreateAsync(applicationId, (string?)obj["displayName"], (string?)obj["hubHostName"], context.RequestAborted,
                autoApprove: (bool?)obj["autoApprove"] ?? true, telemetryRetention: retention);
            return Results.Json(ApplicationLifecycle.ToJson(created));
        }
        catch (ArgumentException ex)
        {
            return ApiError.BadRequest(ex.Message);
        }
        catch (InvalidOperationException ex)
        {
            return ApiError.Conflict(ex.Message);
        }
    }

    private static IResult NotFound(string id) => ApiError.NotFound($"Application '{id}' was not found.");
}
