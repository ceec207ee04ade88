using System.Text.Json;
using Centrum.Devices.FileUploads;
using Centrum.Gateway.Internal;
using Centrum.Outcomes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.Gateway.Https;

/// <summary>
/// IoT Hub's file upload calls of the HTTPS device API (IoT Hub REST reference, "Device - Create File Upload Sas Uri"
/// and "Device - Update File Upload Status"): <c>POST /devices/{id}/files</c> with <c>{"blobName"}</c> answers the
/// correlation id, the storage host, container, blob name <c>{deviceId}/{blobName}</c> and a SAS for that blob;
/// <c>POST /devices/{id}/files/notifications</c> (the C# SDK, correlation id in the body) or
/// <c>…/files/notifications/{correlationId}</c> (the Node SDK) reports the outcome. Every SDK calls them over HTTPS,
/// whatever transport the device's client otherwise speaks (the Node SDK's <c>uploadToBlob</c> on an MQTT client
/// too), and authenticates them as its other HTTPS calls. IoT Hub offers file upload to devices, not to modules
/// ("Understand and use module twins": modules do not support file upload), so a module's credentials are refused.
/// </summary>
public static class HttpsFileUploadEndpoints
{
    /// <summary>The request bodies are a blob name or a notification: a few kilobytes at most.</summary>
    private const int MaxBodyBytes = 8 * 1024;

    public static IEndpointRouteBuilder MapIotHubFileUploads(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/devices/{deviceId}/files", StartAsync).AllowAnonymous();
        endpoints.MapPost("/devices/{deviceId}/files/notifications", NotifyAsync).AllowAnonymous();
        endpoints.MapPost("/devices/{deviceId}/files/notifications/{correlationId}", NotifyAsync).AllowAnonymous();
        return endpoints;
    }

    private static async Task StartAsync(HttpContext context, string deviceId)
    {
        var services = context.RequestServices.GetRequiredService<GatewayServices>();
        if (await AuthenticateDeviceAsync(context, services, deviceId) is not { } identity || await ReadJsonAsync(context) is not { } body)
        {
            return;
        }

        var blobName = body.RootElement.TryGetProperty("blobName", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : null;
        var started = await context.RequestServices.GetRequiredService<FileUploadService>()
            .StartAsync(identity.Application.Id, identity.DeviceId, null, blobName, context.RequestAborted);
        if (!started.Succeeded)
        {
            await WriteProblemAsync(context, started.Problem);
            return;
        }

        var sas = started.Value;
        context.Response.StatusCode = StatusCodes.Status200OK;
        await context.Response.WriteAsJsonAsync(
            new { correlationId = sas.CorrelationId, hostName = sas.HostName, containerName = sas.ContainerName, blobName = sas.BlobName, sasToken = sas.SasToken },
            context.RequestAborted);
    }

    private static async Task NotifyAsync(HttpContext context, string deviceId, string? correlationId)
    {
        var services = context.RequestServices.GetRequiredService<GatewayServices>();
        if (await AuthenticateDeviceAsync(context, services, deviceId) is not { } identity || await ReadJsonAsync(context) is not { } body)
        {
            return;
        }

        var root = body.RootElement;
        if (correlationId is null && root.TryGetProperty("correlationId", out var inBody) && inBody.ValueKind == JsonValueKind.String)
        {
            correlationId = inBody.GetString();
        }

        if (!root.TryGetProperty("isSuccess", out var success) || success.ValueKind is not (JsonValueKind.True or JsonValueKind.False)
            || !root.TryGetProperty("statusCode", out var status) || status.ValueKind != JsonValueKind.Number || !status.TryGetInt32(out var statusCode))
        {
            await HttpsDeviceEndpoints.WriteErrorAsync(context, StatusCodes.Status400BadRequest, "ArgumentInvalid", "isSuccess (a boolean) and statusCode (an integer) are required.");
            return;
        }

        var description = root.TryGetProperty("statusDescription", out var text) && text.ValueKind == JsonValueKind.String ? text.GetString() : null;
        var completed = await context.RequestServices.GetRequiredService<FileUploadService>()
            .CompleteAsync(identity.Application.Id, identity.DeviceId, null, correlationId, success.GetBoolean(), statusCode, description, context.RequestAborted);
        if (!completed.Succeeded)
        {
            await WriteProblemAsync(context, completed.Problem);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static async Task<Authentication.DeviceIdentity?> AuthenticateDeviceAsync(HttpContext context, GatewayServices services, string deviceId)
    {
        if (await HttpsDeviceEndpoints.AuthenticateAsync(context, services, deviceId) is not { } identity)
        {
            return null;
        }

        if (identity.ModuleId is not null)
        {
            await HttpsDeviceEndpoints.WriteErrorAsync(context, StatusCodes.Status401Unauthorized, "IotHubUnauthorizedAccess", "File upload is offered to devices, not modules.");
            return null;
        }

        return identity;
    }

    /// <summary>The request's JSON body, or null after answering 400 (too large or not JSON).</summary>
    private static async Task<JsonDocument?> ReadJsonAsync(HttpContext context)
    {
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            await HttpsDeviceEndpoints.WriteErrorAsync(context, StatusCodes.Status400BadRequest, "ArgumentInvalid", $"The body is larger than {MaxBodyBytes} bytes.");
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                await HttpsDeviceEndpoints.WriteErrorAsync(context, StatusCodes.Status400BadRequest, "ArgumentInvalid", $"The body is larger than {MaxBodyBytes} bytes.");
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        try
        {
            var document = JsonDocument.Parse(buffer.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return document;
            }

            document.Dispose();
        }
        catch (JsonException)
        {
        }

        await HttpsDeviceEndpoints.WriteErrorAsync(context, StatusCodes.Status400BadRequest, "ArgumentInvalid", "The body must be a JSON object.");
        return null;
    }

    /// <summary>An area's refusal as IoT Hub answers it: the status its kind maps to, and IoT Hub's error code.</summary>
    private static Task WriteProblemAsync(HttpContext context, Problem problem)
    {
        if (problem.RetryAfter is { } retry)
        {
            context.Response.Headers.RetryAfter = ((int)retry.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var status = problem.Kind switch
        {
            ProblemKind.NotFound => StatusCodes.Status404NotFound,
            ProblemKind.Conflict => StatusCodes.Status409Conflict,
            ProblemKind.TooManyRequests => StatusCodes.Status429TooManyRequests,
            _ => StatusCodes.Status400BadRequest,
        };
        return HttpsDeviceEndpoints.WriteErrorAsync(context, status, problem.Code, problem.Message);
    }
}
