using System.Text.Json;
using System.Xml;
using Centrum.Commands.Internal;
using Centrum.Devices;
using Centrum.Events;
using Centrum.Outcomes;
using Centrum.Storage;
using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Centrum.Commands;

/// <summary>
/// The durable per-device queue of cloud-to-device messages (IoT Hub docs "Understand cloud-to-device messaging from an IoT hub"): at most 50 waiting, each
/// with a time to live; a message stays until the device acknowledges it (PUBACK) or it expires, and is delivered again
/// after a reconnect until then.
/// </summary>
public sealed class CloudToDeviceQueue(
    IDbContextFactory<CentrumDbContext> contexts, IDeviceDirectory devices, IDeviceEvents events, TimeProvider time, IOptions<CommandOptions> options, ILogger<CloudToDeviceQueue> logger)
{
    /// <summary>
    /// Queues a message for a device, after the rules every caller is held to: a time to live between
    /// <see cref="CommandOptions.MinMessageTtl"/> and 48 hours, a body of at most 64 KiB, and at most 50 messages
    /// waiting per device (IoT Hub's limits; a full queue is IoT Hub's <c>DeviceMaximumQueueDepthExceeded</c>).
    /// </summary>
    public async Task<Outcome<CloudToDeviceMessage>> EnqueueAsync(
        string applicationId, string deviceId, byte[] body, IReadOnlyList<KeyValuePair<string, string>> properties,
        TimeSpan ttl, string? messageId, string? correlationId, string? contentType, string? contentEncoding, CancellationToken cancellationToken)
    {
        if (ttl < options.Value.MinMessageTtl || ttl > CommandLimits.MaxMessageTtl)
        {
            return Problem.Invalid($"Field 'ttl' must be between {XmlConvert.ToString(options.Value.MinMessageTtl)} and PT48H.");
        }

        if (body.Length > CommandLimits.MaxMessageBody)
        {
            Log.MessageRefused(logger, applicationId, deviceId, $"the body is {body.Length} bytes; the limit is {CommandLimits.MaxMessageBody}");
            return Problem.TooLarge($"The message body is larger than {CommandLimits.MaxMessageBody} bytes.");
        }

        // Asked of the devices area, outside the insert below; the message's foreign key to its device (with cascade)
        // keeps the guarantee: a device deleted in between makes the insert fail instead of leaving an orphaned message.
        if (!await devices.ExistsAsync(applicationId, deviceId, cancellationToken))
        {
            return Problem.NotFound($"Device '{deviceId}' was not found.");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);

        var now = time.GetUtcNow();
        await PurgeExpiredAsync(db, applicationId, deviceId, now, cancellationToken);
        if (await db.CloudToDeviceMessages.CountAsync(m => m.ApplicationId == applicationId && m.DeviceId == deviceId, cancellationToken) >= CommandLimits.MaxQueuedMessages)
        {
            Log.MessageRefused(logger, applicationId, deviceId, $"the device's queue holds {CommandLimits.MaxQueuedMessages} messages");
            return QueueFull(deviceId);
        }

        var entity = new CloudToDeviceMessageEntity
        {
            ApplicationId = applicationId,
            DeviceId = deviceId,
            MessageId = messageId ?? Guid.NewGuid().ToString(),
            CorrelationId = correlationId,
            ContentType = contentType,
            ContentEncoding = contentEncoding,
            Properties = JsonSerializer.Serialize(properties.ToDictionary(p => p.Key, p => p.Value)),
            Body = body,
            EnqueuedTime = now,
            ExpiryTime = now + ttl,
        };
        db.CloudToDeviceMessages.Add(entity);
        await db.SaveChangesAsync(cancellationToken);
        events.Publish(new DeviceEvent(DeviceEventKind.CloudToDeviceEnqueued, applicationId, deviceId, entity.Id, now));
        Log.MessageQueued(logger, applicationId, deviceId, entity.Id, body.Length);
        return ToModel(entity);
    }

    /// <summary>IoT Hub's quota error for a device whose queue is full (403004 DeviceMaximumQueueDepthExceeded).</summary>
    internal static Problem QueueFull(string deviceId) =>
        new(ProblemKind.LimitReached, "DeviceMaximumQueueDepthExceeded", $"Device '{deviceId}' already has {CommandLimits.MaxQueuedMessages} messages waiting.");

    /// <summary>Unexpired messages after <paramref name="afterId"/>, oldest first; expired ones are dropped on the way.</summary>
    public async Task<IReadOnlyList<CloudToDeviceMessage>> PendingAsync(string applicationId, string deviceId, long afterId, int max, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await PurgeExpiredAsync(db, applicationId, deviceId, time.GetUtcNow(), cancellationToken);
        var rows = await db.CloudToDeviceMessages.AsNoTracking()
            .Where(m => m.ApplicationId == applicationId && m.DeviceId == deviceId && m.Id > afterId)
            .OrderBy(m => m.Id).Take(max).ToListAsync(cancellationToken);
        return rows.Select(ToModel).ToList();
    }

    public async Task MarkDeliveredAsync(string applicationId, long id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.CloudToDeviceMessages.Where(m => m.ApplicationId == applicationId && m.Id == id)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.DeliveryCount, m => m.DeliveryCount + 1), cancellationToken);
    }

    /// <summary>The device acknowledged the message: it is complete and leaves the queue.</summary>
    public async Task CompleteAsync(string applicationId, long id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.CloudToDeviceMessages.Where(m => m.ApplicationId == applicationId && m.Id == id).ExecuteDeleteAsync(cancellationToken);
    }

    public async Task<int> CountAsync(string applicationId, string deviceId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await PurgeExpiredAsync(db, applicationId, deviceId, time.GetUtcNow(), cancellationToken);
        return await db.CloudToDeviceMessages.CountAsync(m => m.ApplicationId == applicationId && m.DeviceId == deviceId, cancellationToken);
    }

    /// <summary>Expired messages are dead: they are never delivered (IoT Hub dead-letters them).</summary>
    private static async Task PurgeExpiredAsync(CentrumDbContext db, string applicationId, string deviceId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // DateTimeOffset is stored as text in SQLite, where it cannot be compared in SQL: filter in memory, the queue is ≤ 50.
        var expired = (await db.CloudToDeviceMessages.AsNoTracking()
                .Where(m => m.ApplicationId == applicationId && m.DeviceId == deviceId)
                .Select(m => new { m.Id, m.ExpiryTime })
                .ToListAsync(cancellationToken))
            .Where(m => m.ExpiryTime <= now).Select(m => m.Id).ToList();
        if (expired.Count > 0)
        {
            await db.CloudToDeviceMessages.Where(m => m.ApplicationId == applicationId && expired.Contains(m.Id)).ExecuteDeleteAsync(cancellationToken);
        }
    }

    private static CloudToDeviceMessage ToModel(CloudToDeviceMessageEntity e) => new(
        e.Id, e.DeviceId, e.MessageId, e.CorrelationId, e.ContentType, e.ContentEncoding,
        (JsonSerializer.Deserialize<Dictionary<string, string>>(e.Properties) ?? []).ToList(),
        e.Body, e.EnqueuedTime, e.ExpiryTime, e.DeliveryCount);
}
