using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Api.Infrastructure;
using Centrum.Applications;
using Centrum.Provisioning.Registration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace Centrum.Api.Provisioning;

/// <summary>
/// DPS over HTTPS (DPS docs "Use HTTPS to provision devices with symmetric keys"): register and poll, authenticated by the SAS in the Authorization
/// header or the TLS client certificate, not by API tokens. Same semantics as over MQTT.
/// </summary>
public static class DpsHttpsEndpoints
{
    public static IEndpointRouteBuilder MapDpsHttps(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPut("/{idScope}/registrations/{registrationId}/register", RegisterAsync).AllowAnonymous();
        endpoints.MapGet("/{idScope}/registrations/{registrationId}/operations/{operationId}", StatusAsync).AllowAnonymous();
        return endpoints;
    }

    /// <summary>
    /// A registration body is a registration id, an optional TPM endorsement and a custom payload of a few hundred
    /// bytes; 64 KiB leaves ample room and bounds what an anonymous caller makes the server read.
    /// </summary>
    private const int MaxRegistrationBytes = 64 * 1024;

    private static async Task RegisterAsync(HttpContext context, IApplicationCatalog applications, RegistrationService registrations, string idScope, string registrationId)
    {
        var application = await applications.FindByIdScopeAsync(idScope, context.RequestAborted);
        if (application is null || application.Suspended)
        {
            await WriteAsync(context, RegistrationAnswer.Error(401, 401002, "Unauthorized", DateTimeOffset.UtcNow));
            return;
        }

        JsonNode? body;
        try
        {
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            {
                size.MaxRequestBodySize = MaxRegistrationBytes;
            }

            body = context.Request.ContentLength == 0 ? null
                : await JsonNode.ParseAsync(context.Request.Body, documentOptions: JsonBody.DocumentOptions, cancellationToken: context.RequestAborted);
        }
        catch (Exception e) when (e is JsonException or BadHttpRequestException)
        {
            await WriteAsync(context, RegistrationAnswer.Error(400, 400004, "The request body is not valid JSON.", DateTimeOffset.UtcNow));
            return;
        }

        string? authorization = context.Request.Headers.Authorization;
        var answer = await registrations.RegisterAsync(application, registrationId, string.IsNullOrEmpty(authorization) ? null : authorization,
            context.Connection.ClientCertificate, body, context.RequestAborted);
        await WriteAsync(context, answer);
    }

    private static async Task StatusAsync(HttpContext context, IApplicationCatalog applications, RegistrationService registrations, string idScope, string registrationId, string operationId)
    {
        var application = await applications.FindByIdScopeAsync(idScope, context.RequestAborted);
        var answer = application is null
            ? RegistrationAnswer.Error(401, 401002, "Unauthorized", DateTimeOffset.UtcNow)
            : registrations.OperationStatus(application, registrationId, operationId);
        await WriteAsync(context, answer);
    }

    private static Task WriteAsync(HttpContext context, RegistrationAnswer answer)
    {
        context.Response.StatusCode = answer.Status;
        if (answer.RetryAfter is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(answer.Body.ToJsonString(), context.RequestAborted);
    }
}
