using System.Text.Json.Nodes;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;
using Azure.Messaging.ServiceBus;

namespace Centrum.Export.Destinations.AzureMessaging;

/// <summary>
/// IoT Central's Event Hubs and Service Bus destinations with connection string authorization, sent with the official
/// SDKs over AMQP on 5671 (TLS). Managed identities exist only for resources running in Azure and are refused at
/// create time. Centrum adds <c>trustedCertificate</c>, the CA of a namespace on a private PKI.
/// </summary>
internal abstract class AzureMessagingDestinationType(AzureMessagingKind kind, DestinationReach reach, TimeProvider time) : IDestinationType
{
    public string Type { get; } = AzureMessagingSettings.TypeName(kind);

    /// <summary>The connection string holds both the endpoint and the key: a masked one is kept whole or replaced whole.</summary>
    public IReadOnlyList<string[]> Targets { get; } = [["authorization", "connectionString"]];

    public string? Validate(JsonObject definition)
    {
        var reader = new DefinitionReader();
        AzureMessagingSettings.Parse(definition, reader, kind);
        return reader.Error;
    }

    public JsonObject Redact(JsonObject definition) => DefinitionReader.Redact(definition, ["authorization", "connectionString"]);

    public IDestinationSender Open(JsonObject definition, DestinationContext context)
    {
        var reader = new DefinitionReader();
        var settings = AzureMessagingSettings.Parse(definition, reader, kind) ?? throw reader.Invalid(Type);
        return Open(settings, context, new AzureMessaging.ReachGuard(reach, settings, time));
    }

    protected abstract IDestinationSender Open(AzureMessagingSettings settings, DestinationContext context, AzureMessaging.ReachGuard guard);
}

/// <summary>IoT Central's <c>eventhubs@v1</c> destination.</summary>
internal sealed class EventHubsDestinationType(DestinationReach reach, TimeProvider time)
    : AzureMessagingDestinationType(AzureMessagingKind.EventHub, reach, time)
{
    protected override IDestinationSender Open(AzureMessagingSettings settings, DestinationContext context, AzureMessaging.ReachGuard guard)
    {
        var options = new EventHubProducerClientOptions();
        // The export pipeline retries whole batches with its own backoff; the SDK's retries inside each attempt would
        // multiply the waits and hide for minutes that the namespace is unreachable.
        options.RetryOptions.MaximumRetries = 0;
        options.RetryOptions.TryTimeout = AzureMessaging.TryTimeout;
        options.ConnectionOptions.TransportType = EventHubsTransportType.AmqpTcp;
        options.ConnectionOptions.CertificateValidationCallback = AzureMessaging.Validation(settings.TrustedCertificates);
        options.ConnectionOptions.CustomEndpointAddress = settings.CustomEndpoint;
        return new EventHubsSender(new EventHubProducerClient(settings.ConnectionString, options), settings, context, guard);
    }
}

/// <summary>Service Bus queues and topics differ only in their type name; the SDK sends to both alike.</summary>
internal abstract class ServiceBusDestinationType(AzureMessagingKind kind, DestinationReach reach, TimeProvider time)
    : AzureMessagingDestinationType(kind, reach, time)
{
    protected override IDestinationSender Open(AzureMessagingSettings settings, DestinationContext context, AzureMessaging.ReachGuard guard)
    {
        var options = new ServiceBusClientOptions
        {
            TransportType = ServiceBusTransportType.AmqpTcp,
            CertificateValidationCallback = AzureMessaging.Validation(settings.TrustedCertificates),
            CustomEndpointAddress = settings.CustomEndpoint,
        };
        // As for Event Hubs: the pipeline's retries, not the SDK's.
        options.RetryOptions.MaxRetries = 0;
        options.RetryOptions.TryTimeout = AzureMessaging.TryTimeout;
        var client = new ServiceBusClient(settings.ConnectionString, options);
        var entity = Type == AzureMessagingSettings.TypeName(AzureMessagingKind.ServiceBusQueue) ? "queue" : "topic";
        return new ServiceBusEntitySender(client, client.CreateSender(settings.EntityPath), settings, context, guard, entity);
    }
}

/// <summary>IoT Central's <c>servicebusqueue@v1</c> destination.</summary>
internal sealed class ServiceBusQueueDestinationType(DestinationReach reach, TimeProvider time)
    : ServiceBusDestinationType(AzureMessagingKind.ServiceBusQueue, reach, time);

/// <summary>IoT Central's <c>servicebustopic@v1</c> destination.</summary>
internal sealed class ServiceBusTopicDestinationType(DestinationReach reach, TimeProvider time)
    : ServiceBusDestinationType(AzureMessagingKind.ServiceBusTopic, reach, time);
