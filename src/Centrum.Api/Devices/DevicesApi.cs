using System.Buffers.Text;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml;
using Centrum.Api.Infrastructure;
using Centrum.Devices;
using Centrum.Identity.Authorization;
using Centrum.Listing;
using Centrum.Telemetry;
using Centrum.Api.Templates;
using Centrum.Templates;
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

        var reach = await scope.OrganizationsAsync(context.User, Permission.DevicesRead, context.RequestAborted);
        DevicePage page;
        try
        {
            // IoT Central documents no entity a device list expands to; the name is checked and refused rather than ignored.
            ListQueryParser.ParseExpand(context.Request.Query["expand"].FirstOrDefault() ?? "", []);
            page = await registry.ListAsync(application.Id, Paging.ListRequest(context, after), pageSize, context.RequestAborted, reach is null ? null : d => AccessScope.Reaches(reach, d.Organizations));
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

        return Results.Json(nextLink is null ? new { value } : (object)new { value, nextLink });
    }

    private static async Task<IResult> GetAsync(HttpContext context, DeviceRegistry registry, string deviceId)
    {
        var application = context.Application();
        var device = await registry.GetAsync(application.Id, deviceId, context.RequestAborted);
        return device is null ? DeviceNotFound(deviceId) : Results.Json(DeviceJson.ToResponse(device, registry.IsConnected(application.Id, deviceId)));
    }

    private static async Task<IResult> CreateOrReplaceAsync(HttpContext context, DeviceRegistry registry, DeviceTemplateService templates, DeviceModels models, AccessScope scope, string deviceId)
    {
        if (!DeviceIds.IsValid(deviceId))
        {
            return ApiError.BadRequest($"Device id '{deviceId}' is not valid: use 1 to {DeviceIds.MaxLength} letters, digits, '-', '.', '_' or ':'.");
        }

        var (body, error) = await JsonBody.ReadAsync(context.Request);
        if (error is not null)
        {
            return error;
        }

        // Replacing a device keeps its approval unless the body sets it: approval is an operator's decision, not a field
        // IoT Central scripts know about.
        var application = context.Application();
        var existing = await registry.GetAsync(application.Id, deviceId, context.RequestAborted);
        var defaults = new DeviceWrite(null, null, true, false, [], existing?.Approved ?? true);
        if (!DeviceJson.TryRead(body, deviceId, defaults, patch: false, out var write, out var etag, out var message))
        {
            return ApiError.BadRequest(message!);
        }

        if (write.Template is not null && !await templates.ExistsAsync(application.Id, write.Template, context.RequestAborted))
        {
            return ApiError.BadRequest($"Device template '{write.Template}' does not exist.");
        }

        if (await OutsideScopeAsync(context, scope, Permission.DevicesCreate, write.Organizations) is { } outside)
        {
            return outside;
        }

        try
        {
            var (outcome, device) = await registry.CreateOrReplaceAsync(application.Id, deviceId, write, IfMatch(context, etag), context.RequestAborted);
            models.Forget(application.Id, deviceId);
            return outcome == DeviceWriteOutcome.ETagMismatch
                ? ApiError.PreconditionFailed("The device's etag does not match; read it again.")
                : Results.Json(DeviceJson.ToResponse(device!, registry.IsConnected(application.Id, deviceId)));
        }
        catch (UnknownOrganizationException ex)
        {
            return ApiError.BadRequest(ex.Message);
        }
        catch (DeviceConflictException ex)
        {
            return ApiError.Conflict(ex.Message);
        }
    }

    /// <summary>A caller limited to organizations may only place devices in them (a device in none belongs to the whole application).</summary>
    private static async Task<IResult?> OutsideScopeAsync(HttpContext context, AccessScope scope, Permission permission, IReadOnlyList<string> organizations)
    {
        var reach = await scope.OrganizationsAsync(context.User, permission, context.RequestAborted);
        return reach is not null && (organizations.Count == 0 || !organizations.All(reach.Contains)) ? OutsideReach() : null;
    }

    private static IResult OutsideReach() =>
        ApiError.Result(StatusCodes.Status403Forbidden, "Forbidden", "The device must belong to organizations within your reach.");

    private static async Task<IResult> UpdateAsync(HttpContext context, DeviceRegistry registry, DeviceTemplateService templates, DeviceModels models, AccessScope scope, string deviceId)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request);
        if (error is not null)
        {
            return error;
        }

        var application = context.Application();
        // Moving a device to another template (version) is this explicit write of its 'template'.
        if (body is System.Text.Json.Nodes.JsonObject patchBody && patchBody["template"] is System.Text.Json.Nodes.JsonValue templateValue
            && templateValue.GetValueKind() == System.Text.Json.JsonValueKind.String
            && !await templates.ExistsAsync(application.Id, templateValue.GetValue<string>(), context.RequestAborted))
        {
            return ApiError.BadRequest($"Device template '{templateValue.GetValue<string>()}' does not exist.");
        }

        string? bodyError = null;
        var bodyETag = body is System.Text.Json.Nodes.JsonObject o && o["etag"] is { } e && e.GetValueKind() == System.Text.Json.JsonValueKind.String
            ? e.GetValue<string>()
            : null;
        var reach = await scope.OrganizationsAsync(context.User, Permission.DevicesUpdate, context.RequestAborted);
        try
        {
            var (outcome, device) = await registry.UpdateAsync(application.Id, deviceId, current =>
            {
                if (!DeviceJson.TryRead(body, deviceId, current, patch: true, out var write, out _, out bodyError))
                {
                    throw new InvalidDeviceBodyException();
                }

                if (reach is not null && (write.Organizations.Count == 0 || !write.Organizations.All(reach.Contains)))
                {
                    throw new OutsideReachException();
                }

                return write;
            }, IfMatch(context, bodyETag), context.RequestAborted);
            models.Forget(application.Id, deviceId);

            return outcome switch
            {
                DeviceWriteOutcome.NotFound => DeviceNotFound(deviceId),
                DeviceWriteOutcome.ETagMismatch => ApiError.PreconditionFailed("The device's etag does not match; read it again."),
                _ => Results.Json(DeviceJson.ToResponse(device!, registry.IsConnected(application.Id, deviceId))),
            };
        }
        catch (InvalidDeviceBodyException)
        {
            return ApiError.BadRequest(bodyError!);
        }
        catch (OutsideReachException)
        {
            return OutsideReach();
        }
        catch (UnknownOrganizationException ex)
        {
            return ApiError.BadRequest(ex.Message);
        }
        catch (DeviceConflictException ex)
        {
            return ApiError.Conflict(ex.Message);
        }
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, DeviceRegistry registry, string deviceId)
    {
        var deleted = await registry.DeleteAsync(context.Application().Id, deviceId, context.RequestAborted);
        return deleted ? Results.NoContent() : DeviceNotFound(deviceId);
    }

    private static async Task<IResult> CredentialsAsync(HttpContext context, DeviceRegistry registry, string deviceId)
    {
        var application = context.Application();
        var keys = await registry.GetKeysAsync(application.Id, deviceId, context.RequestAborted);
        return keys is null
            ? DeviceNotFound(deviceId)
            : Results.Json(new { idScope = application.IdScope, symmetricKey = new { primaryKey = keys.PrimaryKey, secondaryKey = keys.SecondaryKey } });
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
        if (!unmodeled && await models.ForDeviceAsync(application.Id, deviceId, context.RequestAborted) is { } template
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
    /// IoT Central's <c>Devices_ListModules</c> lists an IoT Edge device's modules from its deployment manifest; Centrum
    /// keeps no deployment manifests yet, so it cannot answer and says so rather than listing nothing.
    /// </summary>
    private static async Task<IResult> ModulesAsync(HttpContext context, DeviceRegistry registry, string deviceId) =>
        await registry.GetAsync(context.Application().Id, deviceId, context.RequestAborted) is null
            ? DeviceNotFound(deviceId)
            : ApiError.NotFound($"Device '{deviceId}' has no module list: Centrum does not keep IoT Edge deployment manifests, from which modules are listed.");

    /// <summary><c>Devices_ListModuleComponents</c>: module templates come from the same deployment manifests (see <see cref="ModulesAsync"/>).</summary>
    private static async Task<IResult> ModuleComponentsAsync(HttpContext context, DeviceRegistry registry, string deviceId, string moduleName) =>
        await registry.GetAsync(context.Application().Id, deviceId, context.RequestAborted) is null
            ? DeviceNotFound(deviceId)
            : ApiError.NotFound($"Module '{moduleName}' of device '{deviceId}' was not found: Centrum does not keep IoT Edge deployment manifests, which declare a module's components.");

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
        return Results.Json(nextLink is null ? new { value } : (object)new { value, nextLink });
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

    private sealed class InvalidDeviceBodyException : Exception;

    /// <summary>A patch would move the device out of the caller's organizations.</summary>
    private sealed class OutsideReachException : Exception;
}
