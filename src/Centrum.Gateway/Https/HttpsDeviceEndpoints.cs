using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Centrum.Commands;
using Centrum.Gateway.Authentication;
using Centrum.Gateway.Handlers;
using Centrum.Gateway.Internal;
using Centrum.IotHub;
using Centrum.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.Gateway.Https;

/// <summary>
/// IoT Hub's HTTPS device API on the hub host name (IoT Hub REST reference, "Device - Send Device Event",
/// "Receive Device Bound Notification", "Complete", "Abandon"; azure-iot-device-http and the C# SDK's
/// HttpTransportHandler speak it): telemetry one message or a batch at a time, and the device's cloud-to-device
/// queue, pulled and settled by lock token. Each request authenticates as a CONNECT does (<see cref="DeviceAuthenticator"/>)
/// and goes through the services the MQTT handlers use: the same telemetry store, limits and metrics, and the same
/// queue, whose messages are held by one receiver at a time (<see cref="CloudToDeviceLocks"/>). Any api-version is
/// accepted (Node sends 2021-04-12, C# 2020-09-30). Errors are IoT Hub's <c>{"Message":"ErrorCode:…;…"}</c>, which
/// the SDKs map by status code.
/// </summary>
public static class HttpsDeviceEndpoints
{
    /// <summary>The batch content type (IoT Hub REST reference, "Send Device Event" batch; C# <c>HttpTransportHandler.SendEventAsync</c>).</summary>
    public const string BatchContentType = "application/vnd.microsoft.iothub.json";

    /// <summary>How long a received message stays locked when the device names no lock timeout (IoT Hub's default, one minute).</summary>
    private static readonly TimeSpan DefaultLock = TimeSpan.FromMinutes(1);

    /// <summary>The longest lock a device may ask for (<c>iothub-messagelocktimeout</c>, seconds).</summary>
    private static readonly TimeSpan MaxLock = TimeSpan.FromMinutes(5);

    /// <summary>A batch's messages count toward one 256 KB limit as a single message does; base64 and JSON make its text up to this much larger.</summary>
    private const int MaxBatchBytes = IotHubLimits.MaxTelemetrySize * 2;

    private const string AppPrefix = "iothub-app-";

    public static IEndpointRouteBuilder MapIotHubHttps(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/devices/{deviceId}/messages/events", SendAsync).AllowAnonymous();
        endpoints.MapGet("/devices/{deviceId}/messages/deviceBound", ReceiveAsync).AllowAnonymous();
        endpoints.MapDelete("/devices/{deviceId}/messages/deviceBound/{lockToken}", CompleteAsync).AllowAnonymous();
        endpoints.MapPost("/devices/{deviceId}/messages/deviceBound/{lockToken}/abandon", AbandonAsync).AllowAnonymous();
        return endpoints;
    }

    /// <summary>The device the request authenticates as, or null after answering 401 (the SDKs' UnauthorizedError).</summary>
    internal static async Task<DeviceIdentity?> AuthenticateAsync(HttpContext context, GatewayServices services, string deviceId)
    {
        var result = await services.Authenticator.AuthenticateRequestAsync(
            context.Request.Host.Host, deviceId, context.Request.Headers.Authorization, context.Connection.ClientCertificate, context.RequestAborted);
        if (result.Identity is { } identity)
        {
            return identity;
        }

        services.Metrics.Refused(result.Code.ToString());
        Log.HttpsRefused(services.Logger, context.Connection.RemoteIpAddress?.ToString() ?? "", deviceId, result.Reason);
        await WriteErrorAsync(context, StatusCodes.Status401Unauthorized, "IotHubUnauthorizedAccess", "Unauthorized");
        return null;
    }

    private static async Task SendAsync(HttpContext context, string deviceId)
    {
        var services = context.RequestServices.GetRequiredService<GatewayServices>();
        if (await AuthenticateAsync(context, services, deviceId) is not { } identity)
        {
            return;
        }

        var received = Stopwatch.GetTimestamp();
        var batch = IsBatch(context.Request.ContentType);
        var body = await ReadBodyAsync(context, batch ? MaxBatchBytes : IotHubLimits.MaxTelemetrySize);
        if (body is null)
        {
            await WriteErrorAsync(context, StatusCodes.Status413RequestEntityTooLarge, "MessageTooLarge", "The message is larger than 256 KB.");
            return;
        }

        var now = services.Time.GetUtcNow();
        var messages = batch ? HttpsMessages.ParseBatch(body, identity, now) : HttpsMessages.FromRequest(context.Request.Headers, body, identity, now);
        if (!messages.Succeeded)
        {
            await WriteErrorAsync(context, messages.Status, messages.Code, messages.Message);
            return;
        }

        using var activity = GatewayDiagnostics.StartPublish(identity, 1);
        var commits = new List<Task<StoreResult>>(messages.Value.Count);
        try
        {
            foreach (var message in messages.Value)
            {
                services.Metrics.Received();
                if (await services.Telemetry.SubmitAsync(message, waitForRoom: true, context.RequestAborted) is { } commit)
                {
                    commits.Add(commit);
                }
            }

            // Answered only once every message is durable, as a QoS 1 PUBACK is.
            await Task.WhenAll(commits);
        }
        catch (TelemetryStoreException ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            await WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "ServerBusy", "The message could not be stored; send it again.");
            return;
        }

        foreach (var _ in commits)
        {
            services.Metrics.Acknowledged(Stopwatch.GetElapsedTime(received));
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>
    /// The oldest message no receiver holds, locked for this receive: 200 with its body, its lock token as a quoted
    /// <c>ETag</c> (Node strips the first and last character) and its properties as headers; 204 when there is none.
    /// </summary>
    private static async Task ReceiveAsync(HttpContext context, string deviceId)
    {
        var services = context.RequestServices.GetRequiredService<GatewayServices>();
        if (await AuthenticateAsync(context, services, deviceId) is not { } identity)
        {
            return;
        }

        var lockFor = DefaultLock;
        if (context.Request.Query["iothub-messagelocktimeout"] is [{ } text])
        {
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds < 1 || seconds > MaxLock.TotalSeconds)
            {
                await WriteErrorAsync(context, StatusCodes.Status400BadRequest, "ArgumentInvalid", $"iothub-messagelocktimeout must be 1 to {MaxLock.TotalSeconds} seconds.");
                return;
            }

            lockFor = TimeSpan.FromSeconds(seconds);
        }

        var applicationId = identity.Application.Id;
        var pending = await services.CloudToDevice.PendingAsync(applicationId, identity.DeviceId, 0, CommandLimits.MaxQueuedMessages, context.RequestAborted);
        var until = services.Time.GetUtcNow() + lockFor;
        foreach (var message in pending)
        {
            var token = LockToken(message.Id);
            if (!services.CloudToDeviceLocks.TryTake(applicationId, message.Id, token, until))
            {
                continue;
            }

            await services.CloudToDevice.MarkDeliveredAsync(applicationId, message.Id, CancellationToken.None);
            var headers = context.Response.Headers;
            headers.ETag = $"\"{token}\"";
            headers["iothub-messageid"] = message.MessageId;
            headers["iothub-sequencenumber"] = message.Id.ToString(CultureInfo.InvariantCulture);
            headers["iothub-to"] = $"/devices/{Uri.EscapeDataString(message.DeviceId)}/messages/deviceBound";
            headers["iothub-expiry"] = message.ExpiryTime.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
            headers["iothub-enqueuedtime"] = message.EnqueuedTime.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
            headers["iothub-deliverycount"] = (message.DeliveryCount + 1).ToString(CultureInfo.InvariantCulture);
            if (message.CorrelationId is { } correlationId)
            {
                headers["iothub-correlationid"] = correlationId;
            }

            if (message.ContentType is { } contentType)
            {
                headers["iothub-contenttype"] = contentType;
            }

            if (message.ContentEncoding is { } contentEncoding)
            {
                headers["iothub-contentencoding"] = contentEncoding;
            }

            foreach (var (key, value) in message.Properties)
            {
                headers[AppPrefix + key] = value;
            }

            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/octet-stream";
            await context.Response.Body.WriteAsync(message.Body, context.RequestAborted);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>Complete (<c>DELETE</c>), or reject (<c>DELETE …?reject</c>, IoT Hub dead-letters it): either way the message leaves the queue.</summary>
    private static async Task CompleteAsync(HttpContext context, string deviceId, string lockToken)
    {
        var services = context.RequestServices.GetRequiredService<GatewayServices>();
        if (await AuthenticateAsync(context, services, deviceId) is not { } identity || await HeldAsync(context, services, identity, lockToken) is not { } messageId)
        {
            return;
        }

        await services.CloudToDevice.CompleteAsync(identity.Application.Id, messageId, CancellationToken.None);
        services.CloudToDeviceLocks.Release(identity.Application.Id, messageId, lockToken);
        Log.CloudToDeviceSettled(services.Logger, identity.Application.Id, identity.DeviceId, messageId, context.Request.Query.ContainsKey("reject") ? "rejected" : "completed");
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>Abandon: the message stays queued and is free for the next receive.</summary>
    private static async Task AbandonAsync(HttpContext context, string deviceId, string lockToken)
    {
        var services = context.RequestServices.GetRequiredService<GatewayServices>();
        if (await AuthenticateAsync(context, services, deviceId) is not { } identity || await HeldAsync(context, services, identity, lockToken) is not { } messageId)
        {
            return;
        }

        services.CloudToDeviceLocks.Release(identity.Application.Id, messageId, lockToken);
        Log.CloudToDeviceSettled(services.Logger, identity.Application.Id, identity.DeviceId, messageId, "abandoned");
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>The device's message the lock token holds now, or null after answering 412 (IoT Hub's DeviceMessageLockLost).</summary>
    private static async Task<long?> HeldAsync(HttpContext context, GatewayServices services, DeviceIdentity identity, string lockToken)
    {
        var dash = lockToken.IndexOf('-', StringComparison.Ordinal);
        if (dash > 0
            && long.TryParse(lockToken.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var messageId)
            && services.CloudToDeviceLocks.Holds(identity.Application.Id, messageId, lockToken)
            && (await services.CloudToDevice.PendingAsync(identity.Application.Id, identity.DeviceId, messageId - 1, 1, context.RequestAborted)) is [{ } message]
            && message.Id == messageId)
        {
            return messageId;
        }

        await WriteErrorAsync(context, StatusCodes.Status412PreconditionFailed, "DeviceMessageLockLost", "The lock token names no message this device holds.");
        return null;
    }

    /// <summary>A lock token: the message's sequence number, then a random part no other receive can guess.</summary>
    private static string LockToken(long messageId) => $"{messageId.ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}";

    private static bool IsBatch(string? contentType) =>
        contentType is not null && contentType.StartsWith(BatchContentType, StringComparison.OrdinalIgnoreCase);

    /// <summary>The request body, or null when it is longer than <paramref name="limit"/>.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpContext context, int limit)
    {
        if (context.Request.ContentLength > limit)
        {
            return null;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit;
        }

        using var buffer = new MemoryStream();
        try
        {
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }

        return buffer.ToArray();
    }

    internal static Task WriteErrorAsync(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new JsonObject { ["Message"] = $"ErrorCode:{code};{message}", ["ExceptionMessage"] = "" };
        return context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }
}
