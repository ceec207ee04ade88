using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Api.Infrastructure;
using Centrum.Applications;
using Centrum.Devices;
using Centrum.Outcomes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace Centrum.Api.Devices;

/// <summary>
/// The two calls the IoT Edge hub makes on the hub host name to learn its device scope (Azure/iotedge
/// <c>edge-hub/core/src/Microsoft.Azure.Devices.Edge.Hub.CloudProxy/NestedDeviceScopeApiClient.cs</c>, api-version
/// <c>2020-06-30-preview</c>; bodies <c>…Hub.Core/NestedScopeRequest.cs</c> and <c>IdentityOnBehalfOfRequest.cs</c>;
/// answer <c>…CloudProxy/ScopeResult.cs</c>):
/// <c>POST /devices/{edge}/modules/$edgeHub/devicesAndModulesInTargetDeviceScope</c> with
/// <c>{"pageSize","continuationLink","authChain"}</c>, paged through the answer's <c>continuationLink</c>, and
/// <c>POST /devices/{edge}/modules/$edgeHub/getDeviceAndModuleOnBehalfOf</c> with
/// <c>{"targetDeviceId","targetModuleId","authChain"}</c>. Both carry the <c>$edgeHub</c> module's SAS token
/// (<c>EdgeHubServiceAuthTokenProvider</c>, its segments encoded three times). Devices and modules are in the service
/// SDK's registry JSON (Azure/azure-iot-sdk-csharp <c>iothub/service/src/Registry/Models/Device.cs</c>, <c>Module.cs</c>);
/// a target outside the scope is a 400, which the hub reads as "removed from the scope" (<c>ServiceProxy.cs</c>).
/// </summary>
public static class EdgeScopeHttpsEndpoints
{
    /// <summary>Both bodies are an id or two, a chain and a link: 8 KiB bounds what a caller makes the server read.</summary>
    private const int MaxBodyBytes = 8 * 1024;

    public static IEndpointRouteBuilder MapEdgeScopeHttps(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/devices/{deviceId}/modules/{moduleId}/devicesAndModulesInTargetDeviceScope", ListAsync).AllowAnonymous();
        endpoints.MapPost("/devices/{deviceId}/modules/{moduleId}/getDeviceAndModuleOnBehalfOf", GetAsync).AllowAnonymous();
        endpoints.MapGet("/devices/{deviceId}/modules/{moduleId}/devicesAndModulesInDeviceScope", LegacyListAsync).AllowAnonymous();
        endpoints.MapGet("/devices/{deviceId}/modules/{moduleId}/deviceAndModuleInDeviceScope", LegacyGetAsync).AllowAnonymous();
        return endpoints;
    }

    /// <summary>
    /// The scope as an IoT Edge hub without nested edge reads it (<c>NestedEdgeEnabled=false</c>; Azure/iotedge
    /// <c>…CloudProxy/DeviceScopeApiClient.cs</c>, api-version <c>2018-08-30-preview</c>):
    /// <c>GET …/devicesAndModulesInDeviceScope?deviceCount=10&amp;continuationToken=</c>, the next page at the
    /// answer's <c>continuationLink</c>, a path and query on the hub host. The scope is the caller's own.
    /// </summary>
    private static async Task LegacyListAsync(HttpContext context, IApplicationCatalog applications, EdgeDeviceScope scope, string deviceId, string moduleId)
    {
        if (await AuthenticateAsync(context, applications, scope, deviceId, moduleId) is not { } application)
        {
            return;
        }

        string? count = context.Request.Query["deviceCount"];
        var pageSize = EdgeDeviceScope.DefaultPageSize;
        if (!string.IsNullOrEmpty(count) && !int.TryParse(count, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out pageSize))
        {
            await RefuseAsync(context, "deviceCount is a whole number.");
            return;
        }

        string? token = context.Request.Query["continuationToken"];
        var page = await scope.ListAsync(application.Id, deviceId, deviceId, string.IsNullOrEmpty(token) ? null : token, pageSize, context.RequestAborted);
        await AnswerAsync(context, page, link => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"/devices/{Uri.EscapeDataString(deviceId)}/modules/{ModuleIds.EdgeHub}/devicesAndModulesInDeviceScope?deviceCount={pageSize}&continuationToken={Uri.EscapeDataString(link)}&api-version=2018-08-30-preview"));
    }

    /// <summary>One identity of the caller's scope, <c>GET …/deviceAndModuleInDeviceScope?targetDeviceId=&amp;targetModuleId=</c> (<c>DeviceScopeApiClient.cs</c>).</summary>
    private static async Task LegacyGetAsync(HttpContext context, IApplicationCatalog applications, EdgeDeviceScope scope, string deviceId, string moduleId)
    {
        if (await AuthenticateAsync(context, applications, scope, deviceId, moduleId) is not { } application)
        {
            return;
        }

        string? target = context.Request.Query["targetDeviceId"];
        string? module = context.Request.Query["targetModuleId"];
        await AnswerAsync(context, await scope.GetOnBehalfOfAsync(
            application.Id, deviceId, deviceId, target, string.IsNullOrEmpty(module) ? null : module, context.RequestAborted));
    }

    private static async Task ListAsync(HttpContext context, IApplicationCatalog applications, EdgeDeviceScope scope, string deviceId, string moduleId)
    {
        if (await AuthenticateAsync(context, applications, scope, deviceId, moduleId) is not { } application || await ReadAsync(context) is not { } body)
        {
            return;
        }

        if (!TryString(body, "authChain", out var chain) || !TryString(body, "continuationLink", out var link)
            || (body["pageSize"] is { } size && (size.GetValueKind() != JsonValueKind.Number || !size.AsValue().TryGetValue<int>(out _))))
        {
            await RefuseAsync(context, "pageSize is a whole number; authChain and continuationLink are strings.");
            return;
        }

        var pageSize = body["pageSize"] is { } given ? given.GetValue<int>() : EdgeDeviceScope.DefaultPageSize;
        await AnswerAsync(context, await scope.ListAsync(application.Id, deviceId, chain, link, pageSize, context.RequestAborted));
    }

    private static async Task GetAsync(HttpContext context, IApplicationCatalog applications, EdgeDeviceScope scope, string deviceId, string moduleId)
    {
        if (await AuthenticateAsync(context, applications, scope, deviceId, moduleId) is not { } application || await ReadAsync(context) is not { } body)
        {
            return;
        }

        if (!TryString(body, "authChain", out var chain) || !TryString(body, "targetDeviceId", out var target) || !TryString(body, "targetModuleId", out var module))
        {
            await RefuseAsync(context, "targetDeviceId, targetModuleId and authChain are strings.");
            return;
        }

        await AnswerAsync(context, await scope.GetOnBehalfOfAsync(application.Id, deviceId, chain, target, module, context.RequestAborted));
    }

    /// <summary>The application the hub host names, when the caller holds the path's edge device's <c>$edgeHub</c> token; else answers 401.</summary>
    private static async Task<Application?> AuthenticateAsync(HttpContext context, IApplicationCatalog applications, EdgeDeviceScope scope, string deviceId, string moduleId)
    {
        var host = context.Request.Host.Host;
        var application = await applications.FindByHubHostAsync(host, context.RequestAborted);
        string? authorization = context.Request.Headers.Authorization;
        if (moduleId == ModuleIds.EdgeHub && application is { Suspended: false }
            && await scope.IsEdgeHubTokenAsync(application.Id, host, deviceId, authorization, context.RequestAborted))
        {
            return application;
        }

        await EdgeRegistryHttpsEndpoints.WriteAsync(context, StatusCodes.Status401Unauthorized, EdgeRegistryHttpsEndpoints.Error("IotHubUnauthorizedAccess", "Unauthorized"));
        return null;
    }

    private static async Task<JsonObject?> ReadAsync(HttpContext context)
    {
        try
        {
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            {
                size.MaxRequestBodySize = MaxBodyBytes;
            }

            if (await JsonNode.ParseAsync(context.Request.Body, documentOptions: JsonBody.DocumentOptions, cancellationToken: context.RequestAborted) is JsonObject body)
            {
                return body;
            }
        }
        catch (Exception e) when (e is JsonException or BadHttpRequestException)
        {
        }

        await RefuseAsync(context, "The request body is not a JSON object.");
        return null;
    }

    private static bool TryString(JsonObject body, string name, out string? value)
    {
        value = null;
        if (body[name] is not { } node)
        {
            return true;
        }

        if (node.GetValueKind() != JsonValueKind.String)
        {
            return false;
        }

        value = node.GetValue<string>();
        return true;
    }

    private static Task RefuseAsync(HttpContext context, string message) =>
        EdgeRegistryHttpsEndpoints.WriteAsync(context, StatusCodes.Status400BadRequest, EdgeRegistryHttpsEndpoints.Error("ArgumentInvalid", message));

    private static Task AnswerAsync(HttpContext context, Outcome<ScopePage> outcome, Func<string, string>? linkOf = null)
    {
        if (!outcome.Succeeded)
        {
            return RefuseAsync(context, outcome.Problem.Message);
        }

        var page = outcome.Value;
        return EdgeRegistryHttpsEndpoints.WriteAsync(context, StatusCodes.Status200OK, new JsonObject
        {
            ["devices"] = new JsonArray([.. page.Devices.Select(ToJson)]),
            ["modules"] = new JsonArray([.. page.Modules.Select(m => EdgeRegistryHttpsEndpoints.ToJson(m, connected: false))]),
            ["continuationLink"] = page.ContinuationLink is { } link && linkOf is not null ? linkOf(link) : page.ContinuationLink,
        });
    }

    /// <summary>A device as IoT Hub's registry answers it (service SDK <c>Device.cs</c>, <c>AuthenticationMechanism.cs</c>, <c>DeviceCapabilities.cs</c>).</summary>
    private static JsonObject ToJson(ScopeDevice device) => new()
    {
        ["deviceId"] = device.Id,
        ["generationId"] = device.GenerationId,
        ["etag"] = device.ETag,
        ["connectionState"] = device.Connected ? "Connected" : "Disconnected",
        ["status"] = device.Enabled ? "enabled" : "disabled",
        ["statusReason"] = null,
        ["cloudToDeviceMessageCount"] = 0,
        ["authentication"] = new JsonObject
        {
            ["symmetricKey"] = new JsonObject { ["primaryKey"] = device.Keys?.PrimaryKey, ["secondaryKey"] = device.Keys?.SecondaryKey },
            ["x509Thumbprint"] = new JsonObject { ["primaryThumbprint"] = device.PrimaryThumbprint, ["secondaryThumbprint"] = device.SecondaryThumbprint },
            ["type"] = device.AuthenticationType,
        },
        ["capabilities"] = new JsonObject { ["iotEdge"] = device.IotEdge },
        ["deviceScope"] = device.DeviceScope,
        ["parentScopes"] = new JsonArray([.. device.ParentScopes.Select(s => JsonValue.Create(s))]),
    };
}
