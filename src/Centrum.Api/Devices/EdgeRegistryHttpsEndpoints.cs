using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Api.Infrastructure;
using Centrum.Applications;
using Centrum.Devices;
using Centrum.Organizations;
using Centrum.Outcomes;
using Centrum.Provisioning.Registration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.Api.Devices;

/// <summary>
/// IoT Hub's device-scope registry calls on the hub host name, as the IoT Edge identity service makes them for its own
/// device's modules (Azure/iot-identity-service <c>identity/aziot-cloud-client-async/src/hub/mod.rs</c>):
/// <c>GET /devices/{d}/modules</c>, and <c>GET</c>, <c>PUT</c> (create without <c>If-Match</c>, update with it) and
/// <c>DELETE</c> of <c>/devices/{d}/modules/{m}</c>, each authenticated with the edge device's own SAS token or, for an
/// X.509 device, its TLS client certificate. Answers
/// follow IoT Hub's registry ("Modules - Create Or Update Identity", "Get Identity", "Delete Identity"): 200 with the
/// module for a create as for an update (the identity service accepts nothing else), 204 for a delete, and errors as
/// <c>{"Message":"ErrorCode:…;…"}</c>, the body the identity service parses.
/// </summary>
public static class EdgeRegistryHttpsEndpoints
{
    /// <summary>A module body is a few hundred bytes (ids, managedBy, two keys); 16 KiB bounds what a caller makes the server read.</summary>
    private const int MaxModuleBytes = 16 * 1024;

    public static IEndpointRouteBuilder MapEdgeRegistryHttps(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/devices/{deviceId}/modules", ListAsync).AllowAnonymous();
        endpoints.MapGet("/devices/{deviceId}/modules/{moduleId}", GetAsync).AllowAnonymous();
        endpoints.MapPut("/devices/{deviceId}/modules/{moduleId}", PutAsync).AllowAnonymous();
        endpoints.MapDelete("/devices/{deviceId}/modules/{moduleId}", DeleteAsync).AllowAnonymous();
        return endpoints;
    }

    private static async Task ListAsync(HttpContext context, IApplicationCatalog applications, ModuleRegistry modules, DeviceRegistry devices, string deviceId)
    {
        if (await AuthenticateAsync(context, applications, modules, deviceId) is not { } application)
        {
            return;
        }

        var listed = await modules.ListAsync(application.Id, deviceId, OrganizationReach.WholeApplication, context.RequestAborted);
        if (!listed.Succeeded)
        {
            await WriteErrorAsync(context, listed.Problem);
            return;
        }

        await WriteAsync(context, StatusCodes.Status200OK, new JsonArray([.. listed.Value.Select(m => ToJson(m, devices.IsConnected(application.Id, $"{m.DeviceId}/{m.Id}")))]));
    }

    private static async Task GetAsync(HttpContext context, IApplicationCatalog applications, ModuleRegistry modules, DeviceRegistry devices, string deviceId, string moduleId)
    {
        if (await AuthenticateAsync(context, applications, modules, deviceId) is { } application)
        {
            await WriteAsync(context, application, devices, await modules.GetAsync(application.Id, deviceId, moduleId, OrganizationReach.WholeApplication, context.RequestAborted));
        }
    }

    private static async Task PutAsync(HttpContext context, IApplicationCatalog applications, ModuleRegistry modules, DeviceRegistry devices, string deviceId, string moduleId)
    {
        if (await AuthenticateAsync(context, applications, modules, deviceId) is not { } application)
        {
            return;
        }

        var write = await ReadModuleAsync(context, deviceId, moduleId);
        if (!write.Succeeded)
        {
            await WriteErrorAsync(context, write.Problem);
            return;
        }

        string? ifMatch = context.Request.Headers.IfMatch;
        var written = await modules.CreateOrUpdateAsync(application.Id, deviceId, moduleId, write.Value, Unquoted(ifMatch), OrganizationReach.WholeApplication, context.RequestAborted);
        await WriteAsync(context, application, devices, written);
    }

    private static async Task DeleteAsync(HttpContext context, IApplicationCatalog applications, ModuleRegistry modules, string deviceId, string moduleId)
    {
        if (await AuthenticateAsync(context, applications, modules, deviceId) is not { } application)
        {
            return;
        }

        string? ifMatch = context.Request.Headers.IfMatch;
        var deleted = await modules.DeleteAsync(application.Id, deviceId, moduleId, Unquoted(ifMatch), OrganizationReach.WholeApplication, context.RequestAborted);
        if (!deleted.Succeeded)
        {
            await WriteErrorAsync(context, deleted.Problem);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>
    /// The application the hub host name names, when the caller is the device in the path: by its SAS token in
    /// <c>Authorization</c>, or, without one, by the TLS client certificate of an X.509 device (the identity service
    /// sends no Authorization header for an X.509 device and presents its certificate instead, Azure/iot-identity-service
    /// <c>identity/aziot-cloud-client-async/src/connector.rs</c>, <c>from_auth</c>); else answers 401.
    /// </summary>
    private static async Task<Application?> AuthenticateAsync(HttpContext context, IApplicationCatalog applications, ModuleRegistry modules, string deviceId)
    {
        var host = context.Request.Host.Host;
        var application = await applications.FindByHubHostAsync(host, context.RequestAborted);
        string? authorization = context.Request.Headers.Authorization;
        if (application is { Suspended: false }
            && (string.IsNullOrEmpty(authorization) && context.Connection.ClientCertificate is { } certificate
                ? await IsDeviceCertificateAsync(context, application.Id, deviceId, certificate)
                : await modules.IsDeviceTokenAsync(application.Id, host, deviceId, authorization, context.RequestAborted)))
        {
            return application;
        }

        await WriteAsync(context, StatusCodes.Status401Unauthorized, Error("IotHubUnauthorizedAccess", "Unauthorized"));
        return null;
    }

    /// <summary>The enabled, approved device's registered certificate, or one chaining to its X.509 enrollment group's verified CA.</summary>
    private static async Task<bool> IsDeviceCertificateAsync(HttpContext context, string applicationId, string deviceId, X509Certificate2 certificate)
    {
        var device = await context.RequestServices.GetRequiredService<DeviceRegistry>().FindForAuthenticationAsync(applicationId, deviceId, context.RequestAborted);
        return device is { Enabled: true, Approved: true }
            && (await context.RequestServices.GetRequiredService<DeviceCertificates>().CheckAsync(applicationId, deviceId, certificate, device, context.RequestAborted)).Trusted;
    }

    /// <summary>
    /// The registry's module body: <c>moduleId</c> and <c>deviceId</c> must name the path's module when present,
    /// <c>managedBy</c> is kept, and <c>authentication</c> is <c>sas</c> (with or without keys), <c>selfSigned</c> (with
    /// <c>x509Thumbprint</c>) or <c>none</c>.
    /// </summary>
    private static async Task<Outcome<ModuleWrite>> ReadModuleAsync(HttpContext context, string deviceId, string moduleId)
    {
        JsonObject? body;
        try
        {
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            {
                size.MaxRequestBodySize = MaxModuleBytes;
            }

            body = context.Request.ContentLength == 0 ? null
                : await JsonNode.ParseAsync(context.Request.Body, documentOptions: JsonBody.DocumentOptions, cancellationToken: context.RequestAborted) as JsonObject;
        }
        catch (Exception e) when (e is JsonException or BadHttpRequestException)
        {
            return Problem.Invalid("The request body is not a JSON module.");
        }

        if (body is null)
        {
            return new ModuleWrite(null, null, null);
        }

        try
        {
            if (body["moduleId"]?.GetValue<string>() is { } named && named != moduleId
                || body["deviceId"]?.GetValue<string>() is { } device && !string.Equals(device, deviceId, StringComparison.OrdinalIgnoreCase))
            {
                return Problem.Invalid("The body's moduleId and deviceId must name the module of the request's path.");
            }

            var authentication = body["authentication"] as JsonObject;
            var type = authentication?["type"]?.GetValue<string>();
            var key = authentication?["symmetricKey"] as JsonObject;
            var primary = key?["primaryKey"]?.GetValue<string>();
            var secondary = key?["secondaryKey"]?.GetValue<string>();
            if ((primary is null) != (secondary is null))
            {
                return Problem.Invalid("A module's symmetric key needs both primaryKey and secondaryKey.");
            }

            var thumbprint = authentication?["x509Thumbprint"] as JsonObject;
            return new ModuleWrite(
                body["managedBy"]?.GetValue<string>(),
                type,
                primary is null ? null : new DeviceKeys(primary, secondary!),
                thumbprint?["primaryThumbprint"]?.GetValue<string>(),
                thumbprint?["secondaryThumbprint"]?.GetValue<string>());
        }
        catch (InvalidOperationException)
        {
            return Problem.Invalid("moduleId, deviceId, managedBy, authentication.type and the keys must be strings.");
        }
    }

    /// <summary>A module as IoT Hub's registry answers it ("Modules - Get Identity").</summary>
    internal static JsonObject ToJson(ModuleIdentity module, bool connected) => new()
    {
        ["moduleId"] = module.Id,
        ["managedBy"] = module.ManagedBy,
        ["deviceId"] = module.DeviceId,
        ["generationId"] = module.GenerationId,
        ["etag"] = module.ETag,
        ["connectionState"] = connected ? "Connected" : "Disconnected",
        ["cloudToDeviceMessageCount"] = 0,
        ["authentication"] = new JsonObject
        {
            ["symmetricKey"] = new JsonObject { ["primaryKey"] = module.Keys.PrimaryKey, ["secondaryKey"] = module.Keys.SecondaryKey },
            ["x509Thumbprint"] = new JsonObject { ["primaryThumbprint"] = module.PrimaryThumbprint, ["secondaryThumbprint"] = module.SecondaryThumbprint },
            ["type"] = module.AuthenticationType,
        },
    };

    private static string? Unquoted(string? etag) => etag is { Length: >= 2 } && etag[0] == '"' && etag[^1] == '"' ? etag[1..^1] : etag;

    private static Task WriteAsync(HttpContext context, Application application, DeviceRegistry devices, Outcome<ModuleIdentity> outcome) =>
        outcome.Succeeded
            ? WriteAsync(context, StatusCodes.Status200OK, ToJson(outcome.Value, devices.IsConnected(application.Id, $"{outcome.Value.DeviceId}/{outcome.Value.Id}")))
            : WriteErrorAsync(context, outcome.Problem);

    /// <summary>IoT Hub's registry error codes for the refusals the module registry gives.</summary>
    private static Task WriteErrorAsync(HttpContext context, Problem problem)
    {
        var (status, code) = problem.Kind switch
        {
            ProblemKind.NotFound => (StatusCodes.Status404NotFound, problem.Message.StartsWith("Module", StringComparison.Ordinal) ? "ModuleNotFound" : "DeviceNotFound"),
            ProblemKind.Conflict => (StatusCodes.Status409Conflict, "ModuleAlreadyExistsOnDevice"),
            ProblemKind.PreconditionFailed => (StatusCodes.Status412PreconditionFailed, "PreconditionFailed"),
            ProblemKind.LimitReached => (StatusCodes.Status403Forbidden, "IotHubQuotaExceeded"),
            _ => (StatusCodes.Status400BadRequest, "ArgumentInvalid"),
        };
        return WriteAsync(context, status, Error(code, problem.Message));
    }

    internal static JsonObject Error(string code, string message) => new()
    {
        ["Message"] = $"ErrorCode:{code};{message}",
        ["ExceptionMessage"] = "",
    };

    internal static Task WriteAsync(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }
}
