using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml;
using Centrum.Api.Infrastructure;
using Centrum.Commands;
using Centrum.Identity.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Centrum.Api.Commands;

/// <summary>
/// IoT Central's command operations (IoT Central REST API reference, "Devices" command operations), and Centrum's cloud-to-device message
/// operation (docs/api.md).
/// </summary>
public static class CommandsApi
{
    private const int HistoryPageSize = 100;

    public static RouteGroupBuilder MapCommandsApi(this RouteGroupBuilder api)
    {
        foreach (var (prefix, hasModule, hasComponent) in new[]
        {
            ("/devices/{deviceId}/commands/{commandName}", false, false),
            ("/devices/{deviceId}/components/{componentName}/commands/{commandName}", false, true),
            ("/devices/{deviceId}/modules/{moduleName}/commands/{commandName}", true, false),
            ("/devices/{deviceId}/modules/{moduleName}/components/{componentName}/commands/{commandName}", true, true),
        })
        {
            api.MapPost(prefix, (HttpContext c, CommandService s, string deviceId, string commandName) =>
                RunAsync(c, s, deviceId, Route(c, "moduleName", hasModule), Route(c, "componentName", hasComponent), commandName))
                .RequirePermission(Permission.DeviceCommandsExecute);
            api.MapGet(prefix, (HttpContext c, CommandService s, string deviceId, string commandName) =>
                HistoryAsync(c, s, deviceId, Route(c, "moduleName", hasModule), Route(c, "componentName", hasComponent), commandName))
                .RequirePermission(Permission.DevicesRead);
        }

        api.MapPost("/devices/{deviceId}/messages", SendMessageAsync).RequirePermission(Permission.DeviceCommandsExecute);
        return api;
    }

    private static string? Route(HttpContext context, string name, bool present) => present ? (string?)context.Request.RouteValues[name] : null;

    /// <summary>Reads IoT Central's <c>DeviceCommand</c> body; the command service holds every rule of the call itself.</summary>
    private static async Task<IResult> RunAsync(HttpContext context, CommandService commands, string deviceId, string? module, string? component, string commandName)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request);
        if (error is not null)
        {
            return error;
        }

        if (body is not JsonObject command)
        {
            return ApiError.BadRequest("The request body must be a DeviceCommand object.");
        }

        foreach (var (name, _) in command)
        {
            if (name is not ("request" or "connectionTimeout" or "responseTimeout" or "id" or "response" or "responseCode"))
            {
                return ApiError.BadRequest($"Unknown field '{name}' in the command body.");
            }
        }

        if (!TrySeconds(command, "connectionTimeout", out var connectionTimeout, out var message) || !TrySeconds(command, "responseTimeout", out var responseTimeout, out message))
        {
            return ApiError.BadRequest(message!);
        }

        var queueIfOffline = string.Equals(context.Request.Query["queueIfOffline"], "true", StringComparison.OrdinalIgnoreCase);
        var call = new CommandCall(commandName, command["request"], module, component, connectionTimeout, responseTimeout, queueIfOffline);
        var outcome = await commands.RunAsync(context.Application().Id, deviceId, call, context.RequestAborted);
        return outcome.Succeeded ? Results.Json(ToJson(outcome.Value), statusCode: StatusCodes.Status201Created) : ApiError.From(outcome.Problem);
    }

    private static async Task<IResult> HistoryAsync(HttpContext context, CommandService commands, string deviceId, string? module, string? component, string commandName)
    {
        var skip = 0;
        var token = context.Request.Query["$skiptoken"].FirstOrDefault();
        if (token is not null && (!int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out skip) || skip < 0))
        {
            return ApiError.BadRequest("The $skiptoken is not valid.");
        }

        var page = await commands.HistoryAsync(context.Application().Id, deviceId, module, component, commandName, skip, HistoryPageSize + 1, context.RequestAborted);
        var value = page.Take(HistoryPageSize).Select(ToJson).ToList();
        if (page.Count <= HistoryPageSize)
        {
            return Results.Json(new { value });
        }

        var request = context.Request;
        var query = QueryString.Create(request.Query.Where(q => q.Key != "$skiptoken").Append(new("$skiptoken", (skip + HistoryPageSize).ToString(CultureInfo.InvariantCulture))));
        return Results.Json(new { value, nextLink = $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}{query}" });
    }

    /// <summary>Centrum's own: queue a cloud-to-device message (IoT Central only sends them as offline commands).</summary>
    private static async Task<IResult> SendMessageAsync(HttpContext context, CloudToDeviceQueue queue, string deviceId)
    {
        var (body, error) = await JsonBody.ReadAsync(context.Request);
        if (error is not null)
        {
            return error;
        }

        if (body is not JsonObject message || !message.ContainsKey("body"))
        {
            return ApiError.BadRequest("The request body must be an object with a 'body' field.");
        }

        var properties = new List<KeyValuePair<string, string>>();
        if (message["properties"] is { } props)
        {
            if (props is not JsonObject map || map.Any(p => p.Value is not JsonValue v || v.GetValueKind() != JsonValueKind.String))
            {
                return ApiError.BadRequest("Field 'properties' must be an object of string values.");
            }

            properties.AddRange(map.Select(p => new KeyValuePair<string, string>(p.Key, p.Value!.GetValue<string>())));
        }

        var ttl = CommandLimits.DefaultMessageTtl;
        if (message["ttl"] is { } ttlNode)
        {
            try
            {
                ttl = XmlConvert.ToTimeSpan(ttlNode.GetValue<string>());
            }
            catch (Exception ex) when (ex is FormatException or InvalidOperationException)
            {
                return ApiError.BadRequest("Field 'ttl' must be an ISO 8601 duration such as PT1H.");
            }
        }

        var payload = message["body"] is JsonValue text && text.GetValueKind() == JsonValueKind.String && message["contentType"] is null
            ? Encoding.UTF8.GetBytes(text.GetValue<string>())
            : Encoding.UTF8.GetBytes(message["body"]?.ToJsonString() ?? "null");
        var contentType = (string?)message["contentType"] ?? (message["body"] is JsonValue s && s.GetValueKind() == JsonValueKind.String ? "text/plain" : "application/json");
        var queued = await queue.EnqueueAsync(context.Application().Id, deviceId, payload, properties, ttl,
            (string?)message["messageId"], (string?)message["correlationId"], contentType, "utf-8", context.RequestAborted);
        return queued.Succeeded
            ? Results.Json(new { id = queued.Value.MessageId, enqueuedTime = queued.Value.EnqueuedTime, expiryTime = queued.Value.ExpiryTime }, statusCode: StatusCodes.Status201Created)
            : ApiError.From(queued.Problem);
    }

    private static object ToJson(CommandExecution e) => new
    {
        id = e.Id,
        connectionTimeout = e.ConnectionTimeout,
        responseTimeout = e.ResponseTimeout,
        request = e.Request,
        response = e.Response,
        responseCode = e.ResponseCode,
    };

    /// <summary>A timeout member, when present, is a whole number of seconds; its bounds are the command service's rule.</summary>
    private static bool TrySeconds(JsonObject command, string name, out TimeSpan? value, out string? error)
    {
        error = null;
        value = null;
        if (command[name] is not { } node)
        {
            return true;
        }

        if (node is not JsonValue v || !v.TryGetValue(out int seconds))
        {
            error = $"{name} must be a whole number of seconds.";
            return false;
        }

        value = TimeSpan.FromSeconds(seconds);
        return true;
    }
}
