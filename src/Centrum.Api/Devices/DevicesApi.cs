using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml;
using Centrum.Api.Infrastructure;
using Centrum.Devices;
using Centrum.Identity.Authorization;
using Centrum.Listing;
using Centrum.Outcomes;
using Centrum.Telemetry;
using Centrum.Templates;
using Centrum.Twins;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Centrum.Api.Devices;

/// <summary>IoT Central's device operations (IoT Central REST API reference, "Devices": create, get, update, delete, credentials, last-known telemetry).</summary>
public static class DevicesApi
{
    private const int DefaultPageSize = 25;

    public static RouteGroupBuilder MapDevicesApi(this RouteGroupBuilder api)
    {
        var devices = api.MapGroup("/devices");
        devices.MapGet("/", ListAsync).RequirePermission(Permission.DevicesRead);
        devices.MapGet("/{deviceId}", GetAsync).RequirePermission(Permission.DevicesRead);
        devices.MapPut("/{deviceId}", CreateOrReplaceAsync).RequirePermission(Permission.DevicesCreate);
        devices.MapPatch("/{deviceId}", UpdateAsync).RequirePermission(Permission.DevicesUpdate);
        devices.MapDelete("/{deviceId}", DeleteAsync).RequirePermission(Permission.DevicesDelete);
        devices.MapGet("/{deviceId}/credentials", CredentialsAsync).RequirePermission(Permission.DeviceConnectivityRead);

        devices.MapGet("/{deviceId}/telemetry/{telemetryName}", (HttpContext c, DeviceRegistry r, TelemetryQueries q, DeviceModels m, string deviceId, string telemetryName) =>
            LatestAsync(c, r, q, m, deviceId, null, null, telemetryName)).RequirePermission(Permission.DeviceDataRead);
        devices.MapGet("/{deviceId}/components/{componentName}/telemetry/{telemetryName}", (HttpContext c, DeviceRegistry r, TelemetryQueries q, DeviceModels m, string deviceId, string componentName, string telemetryName) =>
            LatestAsync(c, r, q, m, deviceId, null, componentName, telemetryName)).RequirePermission(Permission.DeviceDataRead);
        devices.MapGet("/{deviceId}/modules/{moduleName}/telemetry/{telemetryName}", (HttpContext c, DeviceRegistry r, TelemetryQueries q, DeviceModels m, string deviceId, string moduleName, string telemetryName) =>
            LatestAsync(c, r, q, m, deviceId, moduleName, null, telemetryName)).RequirePermission(Permission.DeviceDataRead);
        devices.MapGet("/{deviceId}/modules/{moduleName}/components/{componentName}/telemetry/{telemetryName}", (HttpContext c, DeviceRegistry r, TelemetryQueries q, DeviceModels m, string deviceId, string moduleName, string componentName, string telemetryName) =>
            LatestAsync(c, r, q, m, deviceId, moduleName, componentName, telemetryName)).RequirePermission(Permission.DeviceDataRead);
        devices.MapGet("/{deviceId}/components", ComponentsAsync).RequirePermission(Permission.DevicesRead);
        devices.MapGet("/{deviceId}/modules", ModulesAsync).RequirePermission(Permission.DevicesRead);
        devices.MapGet("/{deviceId}/modules/{moduleName}/components", ModuleComponentsAsync).RequirePermission(Permission.DevicesRead);

        // Our own: a time range of one telemetry stream, raw or bucketed, for charts (docs/api.md).
        devices.MapGet("/{deviceId}/telemetry/{telemetryName}/series", SeriesAsync).RequirePermission(Permission.DeviceDataRead);
        return api;
    }

    private static async Task<IResult> ListAsync(HttpContext context, DeviceRegistry registry, AccessScope scope, int? maxpagesize, string? skiptoken)
    {
        var application = context.Application();
        var pageSize = maxpagesize ?? DefaultPageSize;
        if (pageSize is < 1 or > DeviceRegistry.MaxPageSize)
        {
            return ApiError.BadRequest($"maxpagesize must be between 1 and {DeviceRegistry.MaxPageSize}.");
        }

        string? after = null;
        var token = context.Request.Query["$skiptoken"].FirstOrDefault() ?? skiptoken;
        if (token is not null && !TryDecodeSkipToken(token, out after))
        {
            return ApiError.BadRequest("The $skiptoken is not valid.");
        }

        var reach = await scope.ReachAsync(context, Permission.DevicesRead);
        DevicePage page;
        try
        {
            // IoT Central documents no entity a device list expands to; the name is checked and refused rather than ignored.
            ListQueryParser.ParseExpand(context.Request.Query["expand"].FirstOrDefault() ?? "", []);
            page = await registry.ListAsync(application.Id, Paging.ListRequest(context, after), pageSize, reach, context.RequestAborted);
        }
        catch (ListQueryException ex)
        {
            return Paging.Refuse(ex);
        }

        var value = page.Devices.Select(d => DeviceJson.ToResponse(d, registry.IsConnected(application.Id, d.Id))).ToList();
        string? nextLink = null;
        if (page.ContinueAfter is not null)
        {
            // Every query parameter of the request is kept, as IoT Central's nextLink does (Devices_List example).
            nextLink = Paging.NextLink(context, EncodeSkipToken(page.ContinueAfter));
        }

        return Results.Json(nextLink is null ? new { value } : new { value, nextLink });
    }

    /// <summary>
    /// <c>Devices_Get</c>; an IoT Edge device that took a deployment also shows it as its <c>deploymentManifest</c>
    /// (REST API 2022-10-31-preview, <c>Device.deploymentManifest</c>: "the deployment manifest assigned to the device"),
    /// as it was when applied: its id, display name, the etag of its content then, and the data applied.
    /// </summary>
    private static async Task<IResult> GetAsync(HttpContext context, DeviceRegistry registry, TwinService twins, AccessScope scope, string deviceId)
    {
        var application = context.Application();
        var found = await registry.FindAsync(application.Id, deviceId, await scope.ReachAsync(context, Permission.DevicesRead), context.RequestAborted);
        if (!found.Succeeded || !found.Value.IotEdge || await twins.DeploymentOfAsync(application.Id, deviceId, context.RequestAborted) is not { } deployment)
        {
            return Answer(registry, application.Id, found);
        }

        var json = JsonSerializer.SerializeToNode(DeviceJson.ToResponse(found.Value, registry.IsConnected(application.Id, deviceId)))!.AsObject();
        foreach (var (name, _) in json.Where(p => p.Value is null).ToList())
        {
            json.Remove(name); // as the device's other answers leave out what it does not have
        }

        json["deploymentManifest"] = deployment;
        return Results.Json(json);
    }

    private static async Task<IResult> CreateOrReplaceAsync(HttpContext context, DeviceRegistry registry, AccessScope scope, string deviceId)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request);
        if (error is not null)
        {
            return error;
        }

        // Approval left null: the registry keeps an existing device's and approves a new one unless the body sets it.
        var defaults = new DeviceWrite(null, null, true, false, [], Approved: null);
        if (!DeviceJson.TryRead(body, deviceId, defaults, patch: false, out var write, out var etag, out var message))
        {
            return ApiError.BadRequest(message!);
        }

        var application = context.Application();
        var reach = await scope.ReachAsync(context, Permission.DevicesCreate);
        var written = await registry.CreateOrReplaceAsync(application.Id, deviceId, write, IfMatch(context, etag), reach, context.RequestAborted);
        return Answer(registry, application.Id, written);
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, DeviceRegistry registry, AccessScope scope, string deviceId)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request);
        if (error is not null)
        {
            return error;
        }

        var bodyETag = body is JsonObject o && o["etag"] is { } e && e.GetValueKind() == System.Text.Json.JsonValueKind.String
            ? e.GetValue<string>()
            : null;
        var application = context.Application();
        var reach = await scope.ReachAsync(context, Permission.DevicesUpdate);
        var written = await registry.UpdateAsync(application.Id, deviceId, current =>
            DeviceJson.TryRead(body, deviceId, current, patch: true, out var write, out _, out var message)
                ? write
                : Problem.Invalid(message!),
            IfMatch(context, bodyETag), reach, context.RequestAborted);
        return Answer(registry, application.Id, written);
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, DeviceRegistry registry, AccessScope scope, string deviceId)
    {
        var reach = await scope.ReachAsync(context, Permission.DevicesDelete);
        var deleted = await registry.DeleteAsync(context.Application().Id, deviceId, reach, context.RequestAborted);
        return deleted.Succeeded ? Results.NoContent() : ApiError.From(deleted.Problem);
    }

    private static IResult Answer(DeviceRegistry registry, string applicationId, Outcome<Device> outcome) =>
        outcome.Succeeded
            ? Results.Json(DeviceJson.ToResponse(outcome.Value, registry.IsConnected(applicationId, outcome.Value.Id)))
            : ApiError.From(outcome.Problem);

    private static async Task<IResult> CredentialsAsync(HttpContext context, DeviceRegistry registry, AccessScope scope, string deviceId)
    {
        var application = context.Application();
        var keys = await registry.CredentialsAsync(application.Id, deviceId, await scope.ReachAsync(context, Permission.DeviceConnectivityRead), context.RequestAborted);
        return keys.Succeeded
            ? Results.Json(new { idScope = application.IdScope, symmetricKey = new { primaryKey = keys.Value.PrimaryKey, secondaryKey = keys.Value.SecondaryKey } })
            : ApiError.From(keys.Problem);
    }

    /// <summary>
    /// IoT Central's last-known value. A device with a template answers only for the telemetry it declares, unless
    /// <c>unmodeled=true</c> asks for undeclared data too, then marked <c>"unmodeled": true</c>.
    /// </summary>
    private static async Task<IResult> LatestAsync(HttpContext context, DeviceRegistry registry, TelemetryQueries queries, DeviceModels models, string deviceId, string? module, string? component, string name)
    {
        var application = context.Application();
        if (await registry.GetAsync(application.Id, deviceId, context.RequestAborted) is null)
        {
            return DeviceNotFound(deviceId);
        }

        var unmodeled = string.Equals(context.Request.Query["unmodeled"], "true", StringComparison.OrdinalIgnoreCase);
        if (!unmodeled && await models.ForIdentityAsync(application.Id, deviceId, module, context.RequestAborted) is { } template
            && DeviceModels.CheckTelemetry(template, component, name) is { } refusal)
        {
            return ApiError.From(refusal);
        }

        var value = await queries.LatestAsync(new TelemetryStream(application.Id, deviceId, module, component, name), context.RequestAborted);
        if (value is null)
        {
            return ApiError.NotFound(module is null
                ? $"No value of telemetry '{name}' has been received from device '{deviceId}'."
                : $"No value of telemetry '{name}' has been received from module '{module}' of device '{deviceId}'.");
        }

        return unmodeled
            ? Results.Json(new { value = value.Value, timestamp = value.Timestamp, unmodeled = !value.Modeled })
            : Results.Json(new { value = value.Value, timestamp = value.Timestamp });
    }

    /// <summary>IoT Central's <c>Devices_ListComponents</c>: the components the device's template declares.</summary>
    private static async Task<IResult> ComponentsAsync(HttpContext context, DeviceRegistry registry, DeviceModels models, string deviceId)
    {
        var application = context.Application();
        if (await registry.GetAsync(application.Id, deviceId, context.RequestAborted) is null)
        {
            return DeviceNotFound(deviceId);
        }

        var template = await models.ForDeviceAsync(application.Id, deviceId, context.RequestAborted);
        var value = template?.Model.Components.Select(c => ComponentJson(template.Model.Id, c)).ToList() ?? [];
        return Results.Json(new { value });
    }

    /// <summary>
    /// A component as IoT Central lists it: the DTDL element with its <c>@id</c> and <c>@type</c> as an array (IoT Central
    /// REST API 2022-07-31, Devices_ListComponents example). An element written without <c>@id</c> gets the one DTDL
    /// assigns it (DTDL v2, "Automatic Identifier Assignment": the parent's DTMI with <c>_contents</c> and
    /// <c>__name</c> segments before the version).
    /// </summary>
    private static JsonObject ComponentJson(string interfaceId, Centrum.Templates.Dtdl.DtdlComponent component)
    {
        var types = new JsonArray("Component");
        foreach (var coType in component.CoTypes)
        {
            types.Add(coType);
        }

        var json = new JsonObject { ["@id"] = component.Id ?? DerivedId(interfaceId, component.Name), ["@type"] = types, ["name"] = component.Name };
        if (component.DisplayName?.Default is { } displayName)
        {
            json["displayName"] = displayName;
        }

        json["schema"] = component.SchemaId;
        return json;
    }

    private static string DerivedId(string interfaceId, string name)
    {
        var version = interfaceId.LastIndexOf(';');
        return version < 0 ? $"{interfaceId}:_contents:__{name}" : $"{interfaceId[..version]}:_contents:__{name}{interfaceId[version..]}";
    }

    /// <summary>
    /// IoT Central's <c>Devices_ListModules</c>: the IoT Edge device's own modules, each as the published example
    /// (<c>devices_modules_get.json</c>) shows one, a relationship of semantic type <c>EdgeModule</c>, with the
    /// <c>@id</c> and display name of its Relationship in the device's template where the template describes it. The
    /// runtime's <c>$edgeAgent</c> and <c>$edgeHub</c> are not listed, as IoT Central lists the modules a deployment
    /// names. A device that is not an IoT Edge device has none. Each module carries the state edgeAgent last reported for
    /// it in its <c>$edgeAgent</c> reported properties (Azure/iotedge
    /// <c>edge-agent/src/Microsoft.Azure.Devices.Edge.Agent.Docker/DockerRuntimeModule.cs</c>: <c>runtimeStatus</c>,
    /// <c>statusDescription</c>, <c>exitCode</c>, <c>lastStartTimeUtc</c>, <c>lastExitTimeUtc</c>, <c>restartCount</c>,
    /// <c>lastRestartTimeUtc</c>), where it has reported one. Beside the list, <c>edgeRuntime</c> (Centrum's own) carries
    /// what edgeAgent reported of the runtime: the deployment it last took (<c>lastDesiredVersion</c>,
    /// <c>lastDesiredStatus</c>), the platform, and the same state of <c>edgeAgent</c> and <c>edgeHub</c>
    /// (Azure/iotedge <c>edge-agent/src/Microsoft.Azure.Devices.Edge.Agent.IoTHub/AgentState.cs</c>).
    /// </summary>
    private static async Task<IResult> ModulesAsync(HttpContext context, AccessScope scope, ModuleRegistry modules, TwinService twins, DeviceModels models, string deviceId)
    {
        var application = context.Application().Id;
        var reach = await scope.ReachAsync(context, Permission.DevicesRead);
        var listed = await modules.ListAsync(application, deviceId, reach, context.RequestAborted);
        if (!listed.Succeeded)
        {
            return listed.Problem.Kind == ProblemKind.Invalid ? Results.Json(new { value = Array.Empty<object>() }) : ApiError.From(listed.Problem);
        }

        var template = await models.ForDeviceAsync(application, deviceId, context.RequestAborted);
        var agent = await twins.GetAsync(application, deviceId, ModuleIds.EdgeAgent, context.RequestAborted);
        var reported = agent?.Reported["modules"] as JsonObject;
        var value = listed.Value.Where(m => !ModuleIds.IsSystem(m.Id))
            .Select(m => ModuleItem(m.Id, template?.Modules.GetValueOrDefault(m.Id), template?.Model.Id, reported?[m.Id] as JsonObject)).ToList();
        return EdgeRuntime(agent?.Reported) is { } runtime
            ? Results.Json(new { value, edgeRuntime = runtime })
            : Results.Json(new { value });
    }

    private static readonly string[] EdgeModuleType = ["Relationship", "SemanticType/EdgeModule"];

    private static readonly string[] ReportedModuleState = ["runtimeStatus", "statusDescription", "exitCode", "lastStartTimeUtc", "lastExitTimeUtc", "restartCount", "lastRestartTimeUtc"];

    /// <summary>What <c>$edgeAgent</c> reported of the runtime itself; null before it reported anything.</summary>
    private static JsonObject? EdgeRuntime(JsonObject? reported)
    {
        if (reported is null || reported.Count == 0)
        {
            return null;
        }

        var runtime = new JsonObject();
        foreach (var field in (string[])["lastDesiredVersion", "lastDesiredStatus"])
        {
            if (reported[field] is { } value)
            {
                runtime[field] = value.DeepClone();
            }
        }

        if (reported["runtime"]?["platform"] is { } platform)
        {
            runtime["platform"] = platform.DeepClone();
        }

        var system = new JsonObject();
        foreach (var name in (string[])["edgeAgent", "edgeHub"])
        {
            if (reported["systemModules"]?[name] is JsonObject module)
            {
                system[name] = JsonSerializer.SerializeToNode(State(new Dictionary<string, object?>(), module));
            }
        }

        if (system.Count > 0)
        {
            runtime["systemModules"] = system;
        }

        return runtime;
    }

    private static Dictionary<string, object?> ModuleItem(string name, EdgeModuleModel? declared, string? modelId, JsonObject? reported)
    {
        var item = new Dictionary<string, object?>();
        if (declared is not null)
        {
            item["@id"] = declared.Relationship.Id ?? DerivedId(modelId!, name);
        }

        item["@type"] = EdgeModuleType;
        item["name"] = name;
        if (declared?.Relationship.DisplayName?.Default is { } displayName)
        {
            item["displayName"] = displayName;
        }

        return State(item, reported);
    }

    private static Dictionary<string, object?> State(Dictionary<string, object?> item, JsonObject? reported)
    {
        foreach (var field in ReportedModuleState)
        {
            if (reported?[field] is { } value)
            {
                item[field] = value.DeepClone();
            }
        }

        return item;
    }

    /// <summary>
    /// <c>Devices_ListModuleComponents</c>: the components of the module's capability model in the device's IoT Edge
    /// template, each as <c>Devices_ListComponents</c> gives one (published example <c>devices_modules_components_get.json</c>).
    /// A module the template does not describe (or one of a device without a template) has none; a module that neither
    /// exists nor is described is not found.
    /// </summary>
    private static async Task<IResult> ModuleComponentsAsync(HttpContext context, AccessScope scope, DeviceRegistry registry, ModuleRegistry modules, DeviceModels models, string deviceId, string moduleName)
    {
        var application = context.Application().Id;
        var reach = await scope.ReachAsync(context, Permission.DevicesRead);
        var device = await registry.FindAsync(application, deviceId, reach, context.RequestAborted);
        if (!device.Succeeded)
        {
            return ApiError.From(device.Problem);
        }

        var template = await models.ForIdentityAsync(application, deviceId, moduleName, context.RequestAborted);
        if (template is null && !(await modules.GetAsync(application, deviceId, moduleName, reach, context.RequestAborted)).Succeeded)
        {
            return ApiError.NotFound($"Module '{moduleName}' of device '{deviceId}' was not found.");
        }

        var value = template?.Model.Components.Select(c => ComponentJson(template.Model.Id, c)).ToList() ?? [];
        return Results.Json(new { value });
    }

    private static async Task<IResult> SeriesAsync(
        HttpContext context, DeviceRegistry registry, TelemetryQueries queries, string deviceId, string telemetryName,
        string? component, string? module, DateTimeOffset? from, DateTimeOffset? to, string? interval, int? maxpagesize)
    {
        var application = context.Application();
        if (await registry.GetAsync(application.Id, deviceId, context.RequestAborted) is null)
        {
            return DeviceNotFound(deviceId);
        }

        var end = to ?? DateTimeOffset.UtcNow;
        var start = from ?? end.AddHours(-1);
        if (start >= end)
        {
            return ApiError.BadRequest("'from' must be earlier than 'to'.");
        }

        var stream = new TelemetryStream(application.Id, deviceId, module, component, telemetryName);
        if (interval is not null)
        {
            TimeSpan bucket;
            try
            {
                bucket = XmlConvert.ToTimeSpan(interval);
            }
            catch (FormatException)
            {
                return ApiError.BadRequest("'interval' must be an ISO 8601 duration such as PT1M.");
            }

            if (bucket < TimeSpan.FromSeconds(1) || (end - start) / bucket > 10_000)
            {
                return ApiError.BadRequest("'interval' must be at least PT1S and give at most 10000 buckets over the range.");
            }

            var buckets = await queries.AggregateAsync(stream, start, end, bucket, context.RequestAborted);
            return Results.Json(new
            {
                value = buckets.Select(b => new { timestamp = b.Start, count = b.Count, avg = b.Average, min = b.Minimum, max = b.Maximum }),
            });
        }

        var pageSize = maxpagesize ?? 1000;
        if (pageSize is < 1 or > 10_000)
        {
            return ApiError.BadRequest("maxpagesize must be between 1 and 10000.");
        }

        long after = 0;
        var token = context.Request.Query["$skiptoken"].FirstOrDefault();
        if (token is not null && !long.TryParse(token, out after))
        {
            return ApiError.BadRequest("The $skiptoken is not valid.");
        }

        var points = await queries.RangeAsync(stream, start, end, after, pageSize, context.RequestAborted);
        string? nextLink = null;
        if (points.Count == pageSize)
        {
            var request = context.Request;
            var query = QueryString.Create(request.Query.Where(q => q.Key != "$skiptoken").Append(new("$skiptoken", points[^1].Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture))));
            nextLink = $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}{query}";
        }

        var value = points.Select(p => new { timestamp = p.Timestamp, value = p.Value });
        return Results.Json(nextLink is null ? new { value } : new { value, nextLink });
    }

    private static string? IfMatch(HttpContext context, string? bodyETag)
    {
        var header = context.Request.Headers.IfMatch.FirstOrDefault();
        return header?.Trim('"') ?? bodyETag;
    }

    private static IResult DeviceNotFound(string deviceId) => ApiError.NotFound($"Device '{deviceId}' was not found.");

    private static string EncodeSkipToken(string id) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(id));

    private static bool TryDecodeSkipToken(string token, out string? id)
    {
        id = null;
        try
        {
            id = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
