using Azure.Messaging.ServiceBus;

namespace Centrum.Export.Destinations.AzureMessaging;

/// <summary>
/// Sends a batch to a Service Bus queue or topic with the SDK's <see cref="ServiceBusMessageBatch"/>, in batch order
/// (so each device's messages keep their order), as many SDK batches as the entity's maximum size needs. Each message's
/// <c>MessageId</c> is the same each time it is sent again, so an entity with duplicate detection stores a retried
/// batch once.
/// </summary>
internal sealed class ServiceBusEntitySender(
    ServiceBusClient client, ServiceBusSender sender, AzureMessagingSettings settings, DestinationContext context, AzureMessaging.ReachGuard reach, string entity)
    : IDestinationSender
{
    private string What => $"Service Bus {entity} '{settings.EntityPath}' at {settings.Endpoint.Host}";

    public async Task SendAsync(DeliveryBatch batch, CancellationToken cancellationToken)
    {
        var messages = batch.Messages;
        if (messages.Count == 0)
        {
            return;
        }

        var ids = ExportMessageIds.For(context, messages);
        var sent = 0;
        try
        {
            await reach.CheckAsync(cancellationToken);
            while (sent < messages.Count)
            {
                using var messageBatch = await sender.CreateMessageBatchAsync(cancellationToken);
                var i = sent;
                while (i < messages.Count && messageBatch.TryAddMessage(Message(messages[i], ids[i])))
                {
                    i++;
                }

                if (i == sent)
                {
                    throw new DestinationException(
                        $"Message {messages[i].Sequence} of device '{messages[i].DeviceId}' is larger than {What} accepts ({messageBatch.MaxSizeInBytes} bytes with its properties).",
                        permanent: true);
                }

                await sender.SendMessagesAsync(messageBatch, cancellationToken);
                sent = i;
            }
        }
        catch (DestinationException ex)
        {
            throw new DestinationException(ex.Message, ex.Permanent, ex.InnerException) { Undelivered = Rest(messages, sent) };
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw AzureMessaging.Failure(ex, What, Rest(messages, sent));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await sender.DisposeAsync();
        await client.DisposeAsync();
    }

    private static List<ExportedMessage> Rest(IReadOnlyList<ExportedMessage> messages, int sent) => [.. messages.Skip(sent)];

    private ServiceBusMessage Message(ExportedMessage message, string id)
    {
        var result = new ServiceBusMessage(message.Body) { ContentType = AzureMessaging.ContentType, MessageId = id };
        AzureMessaging.AddProperties(result.ApplicationProperties, context, message);
        return result;
    }
}
