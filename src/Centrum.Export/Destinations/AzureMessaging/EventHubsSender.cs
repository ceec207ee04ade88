using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;
using Centrum.Export.Destinations.Internal;

namespace Centrum.Export.Destinations.AzureMessaging;

/// <summary>
/// Sends a batch to an event hub with the SDK's <see cref="EventDataBatch"/>: one batch (or as many as the hub's
/// maximum message size needs) per device, with the device id as partition key, so each device's events land on one
/// partition in order. Different devices' events go concurrently, each device's one batch after the other.
/// </summary>
internal sealed class EventHubsSender(
    EventHubProducerClient producer, AzureMessagingSettings settings, DestinationContext context, AzureMessaging.ReachGuard reach) : IDestinationSender
{
    /// <summary>Devices whose batches are in flight at once: bounds the sends one export has open on its connection.</summary>
    internal const int MaxDevicesInFlight = 8;

    private string What => $"Event hub '{settings.EntityPath}' at {settings.Endpoint.Host}";

    public async Task SendAsync(DeliveryBatch batch, CancellationToken cancellationToken)
    {
        var messages = batch.Messages;
        if (messages.Count == 0)
        {
            return;
        }

        try
        {
            await reach.CheckAsync(cancellationToken);
        }
        catch (DestinationRefusedException ex)
        {
            throw AzureMessaging.Failure(ex, What, null);
        }

        var ids = ExportMessageIds.For(context, messages);
        var devices = messages.Select((m, i) => (m.DeviceId, Index: i)).GroupBy(p => p.DeviceId, StringComparer.Ordinal).ToList();
        var accepted = new bool[messages.Count];
        Exception? failure = null;
        var stopped = false;
        var next = -1;

        async Task Worker()
        {
            int d;
            while (!Volatile.Read(ref stopped) && (d = Interlocked.Increment(ref next)) < devices.Count)
            {
                var indexes = devices[d].Select(p => p.Index).ToList();
                try
                {
                    await SendDeviceAsync(devices[d].Key, indexes, messages, ids, accepted, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // A failure of one device's send almost always speaks for the hub (credentials, reach, throttling):
                    // no further devices are started, and the retry resends what was not accepted.
                    Interlocked.CompareExchange(ref failure, ex, null);
                    Volatile.Write(ref stopped, true);
                }
            }
        }

        await Workers.RunAsync(MaxDevicesInFlight, devices.Count, Worker);
        cancellationToken.ThrowIfCancellationRequested();
        if (failure is not null)
        {
            // Counted once every worker has stopped: a device still sending when the failure came may have finished.
            List<ExportedMessage> undelivered = [.. messages.Where((_, i) => !accepted[i])];
            throw failure is DestinationException known
                ? new DestinationException(known.Message, known.Permanent, known.InnerException) { Undelivered = undelivered }
                : AzureMessaging.Failure(failure, What, undelivered);
        }
    }

    public async ValueTask DisposeAsync() => await producer.DisposeAsync();

    private async Task SendDeviceAsync(
        string deviceId, List<int> indexes, IReadOnlyList<ExportedMessage> messages, string[] ids, bool[] accepted, CancellationToken cancellationToken)
    {
        var options = new CreateBatchOptions { PartitionKey = deviceId };
        var i = 0;
        while (i < indexes.Count)
        {
            using var eventBatch = await producer.CreateBatchAsync(options, cancellationToken);
            var start = i;
            while (i < indexes.Count && eventBatch.TryAdd(Event(messages[indexes[i]], ids[indexes[i]])))
            {
                i++;
            }

            if (i == start)
            {
                var message = messages[indexes[i]];
                throw new DestinationException(
                    $"Message {message.Sequence} of device '{deviceId}' is larger than {What} accepts ({eventBatch.MaximumSizeInBytes} bytes with its properties).",
                    permanent: true);
            }

            await producer.SendAsync(eventBatch, cancellationToken);
            for (var m = start; m < i; m++)
            {
                accepted[indexes[m]] = true;
            }
        }
    }

    private EventData Event(ExportedMessage message, string id)
    {
        var data = new EventData(message.Body) { ContentType = AzureMessaging.ContentType, MessageId = id };
        AzureMessaging.AddProperties(data.Properties, context, message);
        return data;
    }
}
