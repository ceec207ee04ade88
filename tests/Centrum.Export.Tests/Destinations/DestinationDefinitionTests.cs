using System.Text.Json.Nodes;
using Centrum.Export.Destinations;
using Centrum.Export.Destinations.AzureMessaging;
using Centrum.Export.Destinations.BlobStorage;
using Centrum.Export.Destinations.Nats;
using Centrum.Export.Destinations.Webhook;
using Centrum.Export.Tests.Destinations.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Centrum.Export.Tests.Destinations;

/// <summary>Validate and Redact of each destination type, and the registry that finds them.</summary>
public sealed class DestinationDefinitionTests
{
    private const string ConnectionString =
        "DefaultEndpointsProtocol=https;AccountName=centrumexports;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;EndpointSuffix=core.windows.net";

    private const string EventHubConnectionString =
        "Endpoint=sb://centrum-ns.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=c2VjcmV0LWtleS1vZi10aGUtbmFtZXNwYWNlLTAxMjM=;EntityPath=telemetry";

    private const string QueueConnectionString =
        "Endpoint=sb://centrum-ns.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=c2VjcmV0LWtleS1vZi10aGUtbmFtZXNwYWNlLTAxMjM=;EntityPath=exports";

    private static readonly DestinationTypes Types = new ServiceCollection().AddExportDestinations().BuildServiceProvider().GetRequiredService<DestinationTypes>();

    public static TheoryData<string, string> Valid() => new()
    {
        { "webhook minimal", """{"displayName":"w","type":"webhook@v1","url":"https://example.com/hook"}""" },
        {
            "webhook complete",
            """
            {"displayName":"w","type":"webhook@v1","url":"http://10.0.0.1:8080/hook?x=1",
             "queryCustomizations":{"code":{"value":"abc","secret":true}},
             "headerCustomizations":{"x-api-key":{"value":"k","secret":true},"x-team":{"value":"ops"}},
             "authorization":{"type":"oauth","tokenUrl":"https://login.example.com/token","clientId":"c","clientSecret":"s","audience":"a","scope":"b","requestType":"urlencoded"},
             "signingSecret":"0123456789abcdef"}
            """
        },
        { "webhook header authorization", """{"displayName":"w","type":"webhook@v1","url":"https://e.com","authorization":{"type":"header","value":"Bearer x"}}""" },
        { "blob", $$$"""{"displayName":"b","type":"blobstorage@v1","authorization":{"type":"connectionString","connectionString":"{{{ConnectionString}}}","containerName":"exports-1"}}""" },
        { "blob parquet", $$$"""{"displayName":"b","type":"blobstorage@v1","format":"parquet","authorization":{"type":"connectionString","connectionString":"{{{ConnectionString}}}","containerName":"abc"}}""" },
        { "event hub", $$$"""{"displayName":"e","type":"eventhubs@v1","authorization":{"type":"connectionString","connectionString":"{{{EventHubConnectionString}}}"}}""" },
        { "service bus queue", $$$"""{"displayName":"q","type":"servicebusqueue@v1","authorization":{"type":"connectionString","connectionString":"{{{QueueConnectionString}}}"}}""" },
        { "service bus topic", $$$"""{"displayName":"t","type":"servicebustopic@v1","authorization":{"type":"connectionString","connectionString":"{{{QueueConnectionString}}}"}}""" },
        {
            "service bus with a shared access signature",
            """{"displayName":"t","type":"servicebustopic@v1","authorization":{"type":"connectionString","connectionString":"Endpoint=sb://ns.servicebus.windows.net/;SharedAccessSignature=SharedAccessSignature sr=x&sig=y&se=1&skn=z;EntityPath=t"}}"""
        },
        { "nats minimal", """{"displayName":"n","type":"nats@v1","url":"nats://localhost:4222"}""" },
        {
            "nats complete",
            """{"displayName":"n","type":"nats@v1","url":"tls://nats.example.com","subject":"iot.{applicationId}.{exportId}.{source}.{deviceId}","authorization":{"type":"userPassword","user":"u","password":"p"}}"""
        },
    };

    public static TheoryData<string, string, string> Invalid() => new()
    {
        // Unknown members, at the top and nested.
        { """{"displayName":"w","type":"webhook@v1","url":"https://e.com","urll":"x"}""", "Unknown member 'urll'", "webhook unknown" },
        { """{"displayName":"w","type":"webhook@v1","url":"https://e.com","authorization":{"type":"header","value":"v","extra":1}}""", "Unknown member 'authorization.extra'", "nested unknown" },
        { """{"displayName":"w","type":"webhook@v1","url":"https://e.com","headerCustomizations":{"x":{"value":"v","hidden":true}}}""", "Unknown member 'headerCustomizations.x.hidden'", "customization unknown" },
        { $$$"""{"displayName":"b","type":"blobstorage@v1","authorization":{"type":"connectionString","connectionString":"{{{ConnectionString}}}","containerName":"abc"},"path":"x"}""", "Unknown member 'path'", "blob unknown" },
        { """{"displayName":"n","type":"nats@v1","url":"nats://h:4222","stream":"x"}""", "Unknown member 'stream'", "nats unknown" },
        // Required members.
        { """{"type":"webhook@v1","url":"https://e.com"}""", "'displayName' is required", "display name" },
        { """{"displayName":"w","type":"webhook@v1"}""", "'url' is required", "url" },
        { """{"displayName":"w","type":"webhook@v1","url":"https://e.com","authorization":{"type":"oauth","tokenUrl":"https://t","clientId":"c"}}""", "'authorization.clientSecret' is required", "client secret" },
        { """{"displayName":"w","type":"webhook@v1","url":"https://e.com","queryCustomizations":{"q":{"secret":true}}}""", "'queryCustomizations.q.value' is required", "customization value" },
        { """{"displayName":"b","type":"blobstorage@v1"}""", "'authorization' is required", "blob authorization" },
        { """{"displayName":"b","type":"blobstorage@v1","authorization":{"type":"connectionString","containerName":"abc"}}""", "'authorization.connectionString' is required", "connection string" },
        { $$$"""{"displayName":"b","type":"blobstorage@v1","authorization":{"type":"connectionString","connectionString":"{{{ConnectionString}}}"}}""", "'authorization.containerName' is required", "container" },
        { """{"displayName":"n","type":"nats@v1"}""", "'url' is required", "nats url" },
        { """{"displayName":"n","type":"nats@v1","url":"nats://h","authorization":{"type":"userPassword","user":"u"}}""", "'authorization.password' is required", "nats password" },
        // Shapes and values.
        { """{"displayName":"w","type":"webhook@v1","url":"/relative"}""", "'url' must be an absolute https or http URL", "relative url" },
        { """{"displayName":"w","type":"webhook@v1","url":"ftp://e.com/x"}""", "'url' must be an absolute https or http URL", "ftp url" },
        { """{"displayName":"w","type":"webhook@v1","url":42}""", "'url' must be a string", "url number" },
        { """{"displayName":"w","type":"webhook@v1","url":"https://user:pw@e.com/hook"}""", "'url' must not carry credentials", "credentials in webhook url" },
        { """{"displayName":"w","type":"webhook@v1","url":"https://e.com","signingSecret":"short"}""", "'signingSecret' must be at least 16", "short secret" },
        { """{"displayName":"w","type":"webhook@v1","url":"https://e.com","trustedCertificate":"not pem"}""", "'trustedCertificate'", "bad pem" },
        { """{"displayName":"w","type":"webhook@v1","url":"https://e.com","authorization":{"type":"oauth","tokenUrl":"https://t","clientId":"c","clientSecret":"s","requestType":"xml"}}""", "'authorization.requestType' must be one of", "request type" },
        { """{"displayName":"w","type":"webhook@v1","url":"https://e.com","authorization":{"type":"basic"}}""", "'authorization.type' must be one of 'header', 'oauth'", "auth type" },
        { """{"displayName":"w","type":"webhook@v1","url":"https://e.com","headerCustomizations":{"Content-Type":{"value":"text/plain"}}}""", "is set by Centrum", "reserved header" },
        { """{"displayName":"w","type":"webhook@v1","url":"https://e.com","headerCustomizations":{"bad header":{"value":"v"}}}""", "not a valid HTTP header name", "header name" },
        { """{"displayName":"w","type":"webhook@v1","url":"https://e.com","authorization":{"type":"header","value":"x"},"headerCustomizations":{"authorization":{"value":"v"}}}""", "conflicts with 'authorization'", "two authorizations" },
        { """{"displayName":"b","type":"blobstorage@v1","authorization":{"type":"systemAssignedManagedIdentity","endpointUri":"https://a.blob.core.windows.net","containerName":"abc"}}""", "not supported by Centrum", "managed identity" },
        { """{"displayName":"b","type":"blobstorage@v1","authorization":{"type":"connectionString","connectionString":"nonsense","containerName":"abc"}}""", "'authorization.connectionString' is not an Azure Storage connection string", "bad connection string" },
        { $$$"""{"displayName":"b","type":"blobstorage@v1","authorization":{"type":"connectionString","connectionString":"{{{ConnectionString}}}","containerName":"Exports"}}""", "'authorization.containerName' must be", "upper-case container" },
        { $$$"""{"displayName":"b","type":"blobstorage@v1","authorization":{"type":"connectionString","connectionString":"{{{ConnectionString}}}","containerName":"a--b"}}""", "'authorization.containerName' must be", "double hyphen container" },
        { $$$"""{"displayName":"b","type":"blobstorage@v1","format":"csv","authorization":{"type":"connectionString","connectionString":"{{{ConnectionString}}}","containerName":"abc"}}""", "'format' must be one of 'json', 'parquet'", "format" },
        { """{"displayName":"n","type":"nats@v1","url":"http://h:4222"}""", "'url' must be an absolute nats or tls URL", "nats scheme" },
        { """{"displayName":"n","type":"nats@v1","url":"nats://user:pw@h:4222"}""", "must not carry credentials", "nats credentials in url" },
        { """{"displayName":"n","type":"nats@v1","url":"nats://h","subject":"a.*.b"}""", "not a valid NATS subject", "wildcard subject" },
        { """{"displayName":"n","type":"nats@v1","url":"nats://h","subject":"a.>"}""", "not a valid NATS subject", "tail wildcard subject" },
        { """{"displayName":"n","type":"nats@v1","url":"nats://h","subject":"a b.c"}""", "not a valid NATS subject", "space in subject" },
        { """{"displayName":"n","type":"nats@v1","url":"nats://h","subject":"a..b"}""", "not a valid NATS subject", "empty token" },
        { """{"displayName":"n","type":"nats@v1","url":"nats://h","subject":"a.{device}"}""", "unknown placeholder {device}", "unknown placeholder" },
        { """{"displayName":"n","type":"nats@v1","url":"nats://h","subject":"a.{deviceId"}""", "unmatched", "unmatched brace" },
        { """{"displayName":"n","type":"nats@v1","url":"nats://h","authorization":{"type":"token"}}""", "'authorization.token' is required", "nats token" },
        // Event Hubs and Service Bus.
        { """{"displayName":"e","type":"eventhubs@v1"}""", "'authorization' is required", "event hub authorization" },
        { $$$"""{"displayName":"e","type":"eventhubs@v1","authorization":{"type":"connectionString","connectionString":"{{{EventHubConnectionString}}}","containerName":"x"}}""", "Unknown member 'authorization.containerName'", "event hub unknown member" },
        { """{"displayName":"e","type":"eventhubs@v1","authorization":{"type":"connectionString","connectionString":"nonsense"}}""", "'authorization.connectionString' is not an Event Hubs connection string", "bad event hub connection string" },
        { """{"displayName":"e","type":"eventhubs@v1","authorization":{"type":"connectionString","connectionString":"Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=s"}}""", "must include the EntityPath of the event hub", "event hub without entity" },
        { """{"displayName":"q","type":"servicebusqueue@v1","authorization":{"type":"connectionString","connectionString":"Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=s"}}""", "must include the EntityPath of the queue", "queue without entity" },
        { """{"displayName":"t","type":"servicebustopic@v1","authorization":{"type":"connectionString","connectionString":"Endpoint=sb://ns.servicebus.windows.net/;EntityPath=t"}}""", "must carry SharedAccessKeyName and SharedAccessKey, or SharedAccessSignature", "topic without credentials" },
        { """{"displayName":"e","type":"eventhubs@v1","authorization":{"type":"systemAssignedManagedIdentity","hostName":"ns.servicebus.windows.net","eventHubName":"h"}}""", "systemAssignedManagedIdentity is not available on this installation", "event hub managed identity" },
        { """{"displayName":"q","type":"servicebusqueue@v1","authorization":{"type":"systemAssignedManagedIdentity","hostName":"ns.servicebus.windows.net"}}""", "'authorization.queueName' is required", "queue managed identity without queue" },
        { """{"displayName":"t","type":"servicebustopic@v1","authorization":{"type":"systemAssignedManagedIdentity","hostName":"ns.servicebus.windows.net","topicName":"t"}}""", "systemAssignedManagedIdentity is not available on this installation", "topic managed identity" },
        { $$$"""{"displayName":"q","type":"servicebusqueue@v1","authorization":{"type":"connectionString","connectionString":"{{{QueueConnectionString}}}"},"trustedCertificate":"not pem"}""", "'trustedCertificate'", "queue bad pem" },
        // The registry.
        { """{"displayName":"x","type":"dataexplorer@v1"}""", "Unknown destination type 'dataexplorer@v1'; Centrum supports blobstorage@v1, eventhubs@v1, nats@v1, servicebusqueue@v1, servicebustopic@v1, webhook@v1", "unsupported type" },
        { """{"displayName":"x"}""", "'type' is required: one of blobstorage@v1, eventhubs@v1, nats@v1, servicebusqueue@v1, servicebustopic@v1, webhook@v1", "no type" },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void Valid_definitions_pass(string name, string json)
    {
        Assert.True(Types.Validate(JsonNode.Parse(json)!.AsObject()) is null, name);
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Invalid_definitions_are_refused_with_a_message_naming_the_member(string json, string expected, string name)
    {
        var problem = Types.Validate(JsonNode.Parse(json)!.AsObject());

        Assert.True(problem is not null, name);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_type_refuses_a_definition_of_another_type()
    {
        var definition = JsonNode.Parse("""{"displayName":"w","type":"nats@v1","url":"https://e.com"}""")!.AsObject();

        Assert.Equal("'type' must be 'webhook@v1'.", Types.Find("webhook@v1")!.Validate(definition));
    }

    [Fact]
    public void Webhook_redaction_masks_secret_customizations_authorization_and_signing_secret_only()
    {
        var definition = JsonNode.Parse("""
            {"displayName":"w","type":"webhook@v1","url":"https://e.com/hook",
             "queryCustomizations":{"code":{"value":"query-secret","secret":true},"region":{"value":"eu","secret":false}},
             "headerCustomizations":{"x-api-key":{"value":"header-secret","secret":true},"x-team":{"value":"ops"}},
             "authorization":{"type":"oauth","tokenUrl":"https://t/token","clientId":"client","clientSecret":"client-secret"},
             "signingSecret":"0123456789abcdef-secret"}
            """)!.AsObject();
        var original = definition.ToJsonString();

        var redacted = Types.Find("webhook@v1")!.Redact(definition);

        Assert.Equal("*****", (string?)redacted["queryCustomizations"]!["code"]!["value"]);
        Assert.Equal("eu", (string?)redacted["queryCustomizations"]!["region"]!["value"]);
        Assert.Equal("*****", (string?)redacted["headerCustomizations"]!["x-api-key"]!["value"]);
        Assert.Equal("ops", (string?)redacted["headerCustomizations"]!["x-team"]!["value"]);
        Assert.Equal("*****", (string?)redacted["authorization"]!["clientSecret"]);
        Assert.Equal("client", (string?)redacted["authorization"]!["clientId"]);
        Assert.Equal("*****", (string?)redacted["signingSecret"]);
        Assert.Equal("https://e.com/hook", (string?)redacted["url"]);
        foreach (var secret in (string[])["query-secret", "header-secret", "client-secret", "0123456789abcdef-secret"])
        {
            Assert.DoesNotContain(secret, redacted.ToJsonString(), StringComparison.Ordinal);
        }

        Assert.Equal(original, definition.ToJsonString());
    }

    [Fact]
    public void Webhook_redaction_masks_a_header_authorization_value()
    {
        var definition = JsonNode.Parse("""{"displayName":"w","type":"webhook@v1","url":"https://e.com","authorization":{"type":"header","value":"Bearer abc"}}""")!.AsObject();

        var redacted = Types.Find("webhook@v1")!.Redact(definition);

        Assert.Equal("*****", (string?)redacted["authorization"]!["value"]);
        Assert.Equal("header", (string?)redacted["authorization"]!["type"]);
    }

    [Fact]
    public void Blob_redaction_masks_the_connection_string()
    {
        var definition = JsonNode.Parse($$$"""{"displayName":"b","type":"blobstorage@v1","authorization":{"type":"connectionString","connectionString":"{{{ConnectionString}}}","containerName":"abc"}}""")!.AsObject();

        var redacted = Types.Find("blobstorage@v1")!.Redact(definition);

        Assert.Equal("*****", (string?)redacted["authorization"]!["connectionString"]);
        Assert.Equal("abc", (string?)redacted["authorization"]!["containerName"]);
        Assert.Equal(ConnectionString, (string?)definition["authorization"]!["connectionString"]);
    }

    [Theory]
    [InlineData("eventhubs@v1", EventHubConnectionString)]
    [InlineData("servicebusqueue@v1", QueueConnectionString)]
    [InlineData("servicebustopic@v1", QueueConnectionString)]
    public void Event_hub_and_service_bus_redaction_masks_the_connection_string(string type, string connectionString)
    {
        var definition = new JsonObject
        {
            ["displayName"] = "m",
            ["type"] = type,
            ["authorization"] = new JsonObject { ["type"] = "connectionString", ["connectionString"] = connectionString },
        };

        var redacted = Types.Find(type)!.Redact(definition);

        Assert.Equal("*****", (string?)redacted["authorization"]!["connectionString"]);
        Assert.Equal("connectionString", (string?)redacted["authorization"]!["type"]);
        Assert.DoesNotContain("c2VjcmV0", redacted.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal([["authorization", "connectionString"]], Types.Find(type)!.Targets);
    }

    [Theory]
    [InlineData("""{"type":"token","token":"t0ken"}""", "token")]
    [InlineData("""{"type":"userPassword","user":"u","password":"p4ss"}""", "password")]
    public void Nats_redaction_masks_token_and_password(string authorization, string secretMember)
    {
        var definition = JsonNode.Parse("""{"displayName":"n","type":"nats@v1","url":"nats://h:4222"}""")!.AsObject();
        definition["authorization"] = JsonNode.Parse(authorization);

        var redacted = Types.Find("nats@v1")!.Redact(definition);

        Assert.Equal("*****", (string?)redacted["authorization"]![secretMember]);
        Assert.Equal("nats://h:4222", (string?)redacted["url"]);
    }

    [Fact]
    public void The_registry_holds_the_six_types_by_their_type_string()
    {
        Assert.Equal(["blobstorage@v1", "eventhubs@v1", "nats@v1", "servicebusqueue@v1", "servicebustopic@v1", "webhook@v1"], Types.Supported);
        Assert.IsType<EventHubsDestinationType>(Types.Find("eventhubs@v1"));
        Assert.IsType<ServiceBusQueueDestinationType>(Types.Find("servicebusqueue@v1"));
        Assert.IsType<ServiceBusTopicDestinationType>(Types.Find("servicebustopic@v1"));
        Assert.IsType<WebhookDestinationType>(Types.Find("webhook@v1"));
        Assert.IsType<BlobStorageDestinationType>(Types.Find("blobstorage@v1"));
        Assert.IsType<NatsDestinationType>(Types.Find("nats@v1"));
        Assert.Null(Types.Find("Webhook@v1"));
    }

    [Fact]
    public void Registering_twice_keeps_one_of_each_type()
    {
        var services = new ServiceCollection().AddExportDestinations().AddExportDestinations().BuildServiceProvider();

        Assert.Equal(6, services.GetRequiredService<DestinationTypes>().Supported.Count);
    }

    [Fact]
    public void Opening_an_invalid_definition_is_refused()
    {
        var definition = JsonNode.Parse("""{"displayName":"w","type":"webhook@v1","url":"not a url"}""")!.AsObject();

        var refused = Assert.Throws<ArgumentException>(() => new WebhookDestinationType(TimeProvider.System, NullLoggerFactory.Instance, LocalReach.Allowed).Open(definition, new("a", "e", "d", "telemetry")));

        Assert.Contains("'url'", refused.Message, StringComparison.Ordinal);
    }
}
