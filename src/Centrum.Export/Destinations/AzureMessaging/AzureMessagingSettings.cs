using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Azure.Messaging.EventHubs;
using Azure.Messaging.ServiceBus;

namespace Centrum.Export.Destinations.AzureMessaging;

/// <summary>The three IoT Central destinations that send over AMQP to an Azure messaging entity.</summary>
internal enum AzureMessagingKind
{
    EventHub,
    ServiceBusQueue,
    ServiceBusTopic,
}

/// <summary>
/// A parsed <c>eventhubs@v1</c>, <c>servicebusqueue@v1</c> or <c>servicebustopic@v1</c> definition (IoT Central's
/// <c>EventHubsV1Destination</c>, <c>ServiceBusQueueV1Destination</c>, <c>ServiceBusTopicV1Destination</c>, api-version
/// 2022-10-31-preview). A class, not a record: a record's generated ToString would print the connection string.
/// </summary>
internal sealed class AzureMessagingSettings
{
    public required string ConnectionString { get; init; }

    /// <summary>The namespace endpoint of the connection string (<c>sb://{namespace}/</c>, perhaps with a port).</summary>
    public required Uri Endpoint { get; init; }

    /// <summary>The event hub, queue or topic: the connection string's <c>EntityPath</c>.</summary>
    public required string EntityPath { get; init; }

    /// <summary>Centrum's own <c>trustedCertificate</c>: the CA of a namespace on a private PKI, trusted for this destination only.</summary>
    public X509Certificate2Collection? TrustedCertificates { get; init; }

    /// <summary>
    /// Where to connect when the endpoint names a port: the SDKs take only the namespace's host name from a connection
    /// string and connect to 5671, unless given the address as <c>CustomEndpointAddress</c> (a namespace behind a
    /// gateway or port mapping, or a service compatible with Event Hubs or Service Bus on another port).
    /// </summary>
    public Uri? CustomEndpoint => Endpoint.IsDefaultPort || Endpoint.Port < 0 ? null : new UriBuilder("amqps", Endpoint.Host, Endpoint.Port).Uri;

    /// <summary>The port the SDK connects to: the endpoint's, or AMQP over TLS's 5671.</summary>
    public int Port => Endpoint.IsDefaultPort || Endpoint.Port < 0 ? 5671 : Endpoint.Port;

    public static string TypeName(AzureMessagingKind kind) => kind switch
    {
        AzureMessagingKind.EventHub => "eventhubs@v1",
        AzureMessagingKind.ServiceBusQueue => "servicebusqueue@v1",
        _ => "servicebustopic@v1",
    };

    public static AzureMessagingSettings? Parse(JsonObject definition, DefinitionReader reader, AzureMessagingKind kind)
    {
        var type = TypeName(kind);
        reader.OnlyMembers(definition, "", $"a {type} destination", "displayName", "type", "authorization", "trustedCertificate");
        reader.Head(definition, type);
        var authorization = reader.Object(definition, "", "authorization", required: true);
        string? connectionString = null;
        (Uri Endpoint, string EntityPath)? parsed = null;
        if (authorization is not null)
        {
            const string Path = "authorization";
            switch (reader.Choice(authorization, Path, "type", required: true, "connectionString", "systemAssignedManagedIdentity"))
            {
                case "systemAssignedManagedIdentity":
                    var entityMember = kind switch
                    {
                        AzureMessagingKind.EventHub => "eventHubName",
                        AzureMessagingKind.ServiceBusQueue => "queueName",
                        _ => "topicName",
                    };
                    reader.OnlyMembers(authorization, Path, "managed identity authorization", "type", "hostName", entityMember);
                    reader.String(authorization, Path, "hostName", required: true);
                    reader.String(authorization, Path, entityMember, required: true);
                    // A managed identity is granted by Azure to a resource running in Azure; a self-hosted server has none.
                    reader.Fail("'authorization.type' systemAssignedManagedIdentity is not available on this installation: "
                        + "managed identities exist only for resources running in Azure. Use 'connectionString' with a shared access policy of the namespace or entity.");
                    break;
                case "connectionString":
                    reader.OnlyMembers(authorization, Path, "connection string authorization", "type", "connectionString");
                    connectionString = reader.String(authorization, Path, "connectionString", required: true);
                    if (connectionString is not null)
                    {
                        parsed = ParseConnectionString(connectionString, kind, reader);
                    }

                    break;
            }
        }

        var trusted = reader.TrustedCertificates(definition, "", "trustedCertificate");
        if (reader.Failed || connectionString is null || parsed is not { } endpointAndEntity)
        {
            return null;
        }

        return new AzureMessagingSettings
        {
            ConnectionString = connectionString,
            Endpoint = endpointAndEntity.Endpoint,
            EntityPath = endpointAndEntity.EntityPath,
            TrustedCertificates = trusted,
        };
    }

    /// <summary>
    /// The SDK's own parser is the definition of the format. IoT Central requires the <c>EntityPath</c> of the entity
    /// in the connection string, and a shared access key (or signature) to authorize with.
    /// </summary>
    private static (Uri Endpoint, string EntityPath)? ParseConnectionString(string value, AzureMessagingKind kind, DefinitionReader reader)
    {
        var what = kind == AzureMessagingKind.EventHub ? "an Event Hubs" : "a Service Bus";
        var entity = kind switch
        {
            AzureMessagingKind.EventHub => "event hub",
            AzureMessagingKind.ServiceBusQueue => "queue",
            _ => "topic",
        };
        Uri? endpoint;
        string? entityPath;
        bool hasCredential;
        try
        {
            if (kind == AzureMessagingKind.EventHub)
            {
                var properties = EventHubsConnectionStringProperties.Parse(value);
                (endpoint, entityPath) = (properties.Endpoint, properties.EventHubName);
                hasCredential = (properties.SharedAccessKeyName is not null && properties.SharedAccessKey is not null) || properties.SharedAccessSignature is not null;
            }
            else
            {
                var properties = ServiceBusConnectionStringProperties.Parse(value);
                (endpoint, entityPath) = (properties.Endpoint, properties.EntityPath);
                hasCredential = (properties.SharedAccessKeyName is not null && properties.SharedAccessKey is not null) || properties.SharedAccessSignature is not null;
            }
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or UriFormatException)
        {
            reader.Fail($"'authorization.connectionString' is not {what} connection string (Endpoint=sb://…;SharedAccessKeyName=…;SharedAccessKey=…;EntityPath=…).");
            return null;
        }

        if (endpoint is null || endpoint.Host.Length == 0)
        {
            reader.Fail("'authorization.connectionString' has no Endpoint=sb://{namespace}/.");
            return null;
        }

        if (string.IsNullOrEmpty(entityPath))
        {
            reader.Fail($"'authorization.connectionString' must include the EntityPath of the {entity}.");
            return null;
        }

        if (!hasCredential)
        {
            reader.Fail("'authorization.connectionString' must carry SharedAccessKeyName and SharedAccessKey, or SharedAccessSignature.");
            return null;
        }

        return (endpoint, entityPath);
    }
}
