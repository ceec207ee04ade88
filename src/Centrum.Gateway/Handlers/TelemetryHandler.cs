using System.Diagnostics;
using System.Globalization;
using Centrum.Gateway.Authentication;
using Centrum.IotHub;
using Centrum.IotHub.Connections;
using Centrum.IotHub.Mqtt;
using Centrum.Telemetry;

namespace Centrum.Gateway.Handlers;

/// <summary>
/// Device-to-cloud messages (IoT Hub docs "Communicate with an IoT hub using the MQTT protocol", "Sending device-to-cloud
/// messages"). A QoS 1 PUBLISH waits for room in the application's store queue (back-pressure) and is acknowledged by
/// the write loop only after its commit; a QoS 0 PUBLISH that finds the queue full is dropped.
/// </summary>
internal sealed class TelemetryHandler(DeviceIdentity identity, OutboundQueue outbound, TelemetryIngest telemetry, GatewayMetrics metrics, TimeProvider time)
{
    public async ValueTask<PacketResult> PublishAsync(PublishPacket publish, ReadOnlyMemory<char> bagText, CancellationToken cancellationToken)
    {
        var received = Stopwatch.GetTimestamp();
        var bag = PropertyBag.Parse(bagText.Span);
        if (publish.Payload.Length + bag.Size > IotHubLimits.MaxTelemetrySize)
        {
            return PacketResult.Violation("message larger than 256 KB");
        }

        var messageId = bag.Get("$.mid");
        if (messageId?.Length > IotHubLimits.MaxMessageIdLength)
        {
            return PacketResult.Violation("message id longer than 128 characters");
        }

        if (publish.Retain)
        {
            bag.Application.Add(new("mqtt-retain", "true"));
        }

        metrics.Received();
        var message = new TelemetryMessage
        {
            ApplicationId = identity.Application.Id,
            DeviceId = identity.DeviceId,
            ModuleId = identity.ModuleId,
            Component = bag.Get("$.sub"),
            MessageId = messageId,
            CorrelationId = bag.Get("$.cid"),
            ContentType = bag.Get("$.ct"),
            ContentEncoding = bag.Get("$.ce"),
            CreationTime = CreationTime(bag),
            Properties = bag.Application,
            Body = publish.Payload,
            EnqueuedTime = time.GetUtcNow(),
        };

        using var activity = GatewayDiagnostics.StartPublish(identity, publish.Qos);
        Task<StoreResult>? stored;
        try
        {
            stored = await telemetry.SubmitAsync(message, waitForRoom: publish.Qos > 0, cancellationToken);
        }
        catch (TelemetryStoreException ex)
        {
            // The store refuses for good (its application is gone or its disk failed): the device reconnects and
            // re-sends what was not acknowledged.
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            return PacketResult.Close(ex.Message);
        }

        if (publish.Qos > 0 && stored is not null)
        {
            await outbound.WriteAsync(Outbound.PubAck(publish.PacketId, stored, received), cancellationToken);
        }

        return PacketResult.Continue;
    }

    /// <summary>On an abnormal close the Will goes out as telemetry marked <c>iothub-MessageType=Will</c> (IoT Hub docs "Communicate with an IoT hub using the MQTT protocol", Will messages).</summary>
    public async Task SubmitWillAsync(ConnectPacket connect)
    {
        if (connect.WillTopic is not { } willTopic)
        {
            return;
        }

        var bag = PropertyBag.Parse(IotHubTopics.ClassifyPublish(willTopic, identity.DeviceId, identity.ModuleId).Bag.Span);
        bag.Application.Add(new("iothub-MessageType", "Will"));
        await telemetry.SubmitAsync(new TelemetryMessage
        {
            ApplicationId = identity.Application.Id,
            DeviceId = identity.DeviceId,
            ModuleId = identity.ModuleId,
            Component = bag.Get("$.sub"),
            ContentType = bag.Get("$.ct"),
            ContentEncoding = bag.Get("$.ce"),
            Properties = bag.Application,
            Body = connect.WillMessage ?? [],
            EnqueuedTime = time.GetUtcNow(),
        }, waitForRoom: false, CancellationToken.None);
    }

    private static DateTimeOffset? CreationTime(PropertyBag bag)
    {
        var text = bag.Application.FirstOrDefault(p => p.Key == "iothub-creation-time-utc").Value ?? bag.Get("$.ctime");
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value)
            ? value
            : null;
    }
}
