using System.Text;
using System.Text.Json.Nodes;
using Centrum.Export.Destinations;
using Centrum.Export.Destinations.AzureMessaging;
using Centrum.Export.Tests.Destinations.Infrastructure;

namespace Centrum.Export.Tests.Destinations;

/// <summary>
/// eventhubs@v1, servicebusqueue@v1 and servicebustopic@v1 with the official Azure SDKs, against
/// <see cref="AzureMessagingNamespace"/>: Event Hubs and Service Bus cannot run here, so a stand-in namespace on
/// Microsoft.Azure.Amqp performs the services' claims-based authorization (AMQP CBS put-token with a
/// SharedAccessSignature) over TLS and accepts messages on the entity, as the services' AMQP protocol guide describes.
/// </summary>
public sealed class AzureMessagingDestinationTests
{
    private const string Hub = "telemetry-hub";
    private const string Queue = "exports";
    private const string Topic = "fan-out";

    [Fact]
    public async Task Event_hub_events_arrive_with_iot_central_properties_partitioned_by_device_in_order()
    {
        await using var ns = AzureMessagingNamespace.Start(Hub);
        var context = Batches.Context();
        var batch = Batches.RoundRobin(100, 60, 5);

        await using (var sender = Open("eventhubs@v1", ns, Hub, context))
        {
            await sender.SendAsync(batch, CancellationToken.None);
        }

        var accepted = ns.On(Hub);
        Assert.Equal(60, accepted.Count);
        foreach (var device in batch.Messages.GroupBy(m => m.DeviceId))
        {
            var received = accepted.Where(a => (string)a.Properties["iotcentral-device-id"] == device.Key).ToList();
            // Each device's events in order, under its own partition key.
            Assert.Equal(device.Select(m => m.Sequence), received.Select(r => (long)r.Properties["centrum-sequence"]));
            Assert.All(received, r => Assert.Equal(device.Key, r.PartitionKey));
            Assert.Equal(device.Select(m => m.Body.ToArray()), received.Select(r => r.Body));
        }

        Assert.All(accepted, a =>
        {
            Assert.Equal("application/json", a.ContentType);
            Assert.Equal(context.ApplicationId, a.Properties["iotcentral-application-id"]);
            Assert.Equal("telemetry", a.Properties["iotcentral-message-source"]);
            Assert.False(a.Properties.ContainsKey("iotcentral-message-type"), "telemetry has no message type");
            Assert.Equal($"{context.ApplicationId}/export-1/destination-1/{a.Properties["centrum-sequence"]}/0", a.MessageId);
        });
    }

    [Theory]
    [InlineData("servicebusqueue@v1", Queue)]
    [InlineData("servicebustopic@v1", Topic)]
    public async Task Service_bus_messages_arrive_in_batch_order_with_their_message_type(string type, string entity)
    {
        await using var ns = AzureMessagingNamespace.Start(Queue, Topic);
        var context = Batches.Context() with { Source = "properties" };
        var batch = new DeliveryBatch([.. Enumerable.Range(1, 40).Select(i => Batches.Message(i, $"device-{i % 3}",
            $$"""{"messageSource":"properties","messageType":"devicePropertyReportedChange","deviceId":"device-{{i % 3}}","n":{{i}}}"""))]);

        await using (var sender = Open(type, ns, entity, context))
        {
            await sender.SendAsync(batch, CancellationToken.None);
        }

        var accepted = ns.On(entity);
        Assert.Equal(batch.Messages.Select(m => m.Sequence), accepted.Select(a => (long)a.Properties["centrum-sequence"]));
        Assert.Equal(batch.Messages.Select(m => Encoding.UTF8.GetString(m.Body.Span)), accepted.Select(a => Encoding.UTF8.GetString(a.Body)));
        Assert.All(accepted, a =>
        {
            Assert.Equal("application/json", a.ContentType);
            Assert.Equal("properties", a.Properties["iotcentral-message-source"]);
            Assert.Equal("devicePropertyReportedChange", a.Properties["iotcentral-message-type"]);
        });
        Assert.Equal(batch.Messages.Select(m => m.DeviceId), accepted.Select(a => (string)a.Properties["iotcentral-device-id"]));
    }

    [Theory]
    [InlineData("eventhubs@v1", Hub)]
    [InlineData("servicebusqueue@v1", Queue)]
    public async Task A_wrong_key_is_refused_permanently_and_delivery_resumes_once_the_key_matches(string type, string entity)
    {
        await using var ns = AzureMessagingNamespace.Start(Hub, Queue);
        var rightKey = ns.Key;
        ns.Key = Convert.ToBase64String(Encoding.UTF8.GetBytes("a-rotated-namespace-key-000000000"));
        await using var sender = Open(type, ns, entity, Batches.Context(), key: rightKey);
        var batch = Batches.RoundRobin(1, 10, 2);

        var refused = await Assert.ThrowsAsync<DestinationException>(() => sender.SendAsync(batch, CancellationToken.None));

        Assert.True(refused.Permanent, refused.Message);
        Assert.Contains("SharedAccessKey", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(rightKey, refused.Message, StringComparison.Ordinal);
        Assert.True(ns.Refusals > 0);
        Assert.Empty(ns.Accepted);
        Assert.Equal(batch.Messages, refused.Undelivered ?? batch.Messages);

        // The namespace's key is set back to the destination's: the same sender delivers on its next attempt.
        ns.Key = rightKey;
        await sender.SendAsync(batch, CancellationToken.None);
        Assert.Equal(10, ns.On(entity).Count);
    }

    [Theory]
    [InlineData("eventhubs@v1", Hub)]
    [InlineData("servicebustopic@v1", Topic)]
    public async Task An_unreachable_namespace_is_transient_and_reached_again_when_it_returns(string type, string entity)
    {
        await using var ns = AzureMessagingNamespace.Start(Hub, Topic);
        await using var sender = Open(type, ns, entity, Batches.Context());
        await sender.SendAsync(Batches.RoundRobin(1, 4, 2), CancellationToken.None);

        ns.Stop();
        await Wait.UntilAsync(() => Task.FromResult(ns.OpenConnections == 0), TimeSpan.FromSeconds(10), "the namespace's connections closed");
        var failed = await Assert.ThrowsAsync<DestinationException>(() => sender.SendAsync(Batches.RoundRobin(5, 4, 2), CancellationToken.None));
        Assert.False(failed.Permanent, failed.Message);

        // Back: the next attempts, as the export pipeline makes them, get through (the first may still meet the
        // connection the SDK has not yet noticed was closed).
        ns.Listen();
        var pending = new DeliveryBatch(failed.Undelivered ?? Batches.RoundRobin(5, 4, 2).Messages);
        await Wait.UntilAsync(async () =>
        {
            try
            {
                await sender.SendAsync(pending, CancellationToken.None);
                return true;
            }
            catch (DestinationException retry) when (!retry.Permanent)
            {
                pending = new DeliveryBatch(retry.Undelivered ?? pending.Messages);
                return false;
            }
        }, TimeSpan.FromSeconds(30), "a retry delivered");
        // At least once: every message arrived; one whose acceptance was cut off by the stop may have arrived twice.
        Assert.Equal(Enumerable.Range(1, 8).Select(i => (long)i), ns.On(entity).Select(a => (long)a.Properties["centrum-sequence"]).Distinct().Order());
    }

    [Fact]
    public async Task A_namespace_certificate_not_trusted_by_the_destination_is_not_sent_to()
    {
        await using var ns = AzureMessagingNamespace.Start(Queue);
        var definition = Definition("servicebusqueue@v1", ns.ConnectionString(Queue));
        await using var sender = Type("servicebusqueue@v1", LocalReach.Allowed).Open(definition, Batches.Context());

        var failed = await Assert.ThrowsAsync<DestinationException>(() => sender.SendAsync(Batches.RoundRobin(1, 2, 1), CancellationToken.None));

        Assert.Contains(Queue, failed.Message, StringComparison.Ordinal);
        Assert.Empty(ns.Accepted);
    }

    [Fact]
    public async Task A_namespace_on_loopback_is_refused_by_default_before_connecting()
    {
        await using var ns = AzureMessagingNamespace.Start(Hub);
        var reach = new DestinationReach(allowLocal: false, refusePrivate: false, management: null);
        await using var sender = Type("eventhubs@v1", reach).Open(Definition("eventhubs@v1", ns.ConnectionString(Hub), ns.CertificatePem), Batches.Context());

        var refused = await Assert.ThrowsAsync<DestinationException>(() => sender.SendAsync(Batches.RoundRobin(1, 2, 1), CancellationToken.None));

        Assert.True(refused.Permanent, refused.Message);
        Assert.Contains("loopback", refused.Message, StringComparison.Ordinal);
        Assert.Empty(ns.Accepted);
    }

    [Fact]
    public async Task A_message_larger_than_the_entity_accepts_is_refused_permanently_naming_it()
    {
        await using var ns = AzureMessagingNamespace.Start(Queue);
        await using var sender = Open("servicebusqueue@v1", ns, Queue, Batches.Context());
        var huge = Batches.Message(7, "big", $$"""{"blob":"{{new string('x', (int)AzureMessagingNamespace.MaxMessageSize)}}"}""");

        var refused = await Assert.ThrowsAsync<DestinationException>(() => sender.SendAsync(new DeliveryBatch([Batches.Message(6, "big", "{}"), huge]), CancellationToken.None));

        Assert.True(refused.Permanent, refused.Message);
        Assert.Contains("Message 7", refused.Message, StringComparison.Ordinal);
        Assert.Equal([huge], refused.Undelivered);
        Assert.Single(ns.On(Queue));
    }

    [Theory]
    [InlineData("""{"deviceId":"d","messageType":"cloudPropertyChange","x":{"messageType":"nested"}}""", "cloudPropertyChange")]
    [InlineData("""{"x":{"messageType":"nested"},"y":[1,{"messageType":"n"}]}""", null)]
    [InlineData("""[{"messageType":"inArray"}]""", null)]
    [InlineData("""{"messageType":3}""", null)]
    [InlineData("""42""", null)]
    public void The_message_type_property_is_read_from_the_top_level_of_the_body_only(string body, string? expected)
    {
        Assert.Equal(expected, AzureMessaging.MessageType(Encoding.UTF8.GetBytes(body)));
    }

    private static IDestinationSender Open(string type, AzureMessagingNamespace ns, string entity, DestinationContext context, string? key = null) =>
        Type(type, LocalReach.Allowed).Open(Definition(type, ns.ConnectionString(entity, key), ns.CertificatePem), context);

    private static IDestinationType Type(string type, DestinationReach reach) => type switch
    {
        "eventhubs@v1" => new EventHubsDestinationType(reach, TimeProvider.System),
        "servicebusqueue@v1" => new ServiceBusQueueDestinationType(reach, TimeProvider.System),
        _ => new ServiceBusTopicDestinationType(reach, TimeProvider.System),
    };

    private static JsonObject Definition(string type, string connectionString, string? trustedCertificate = null)
    {
        var definition = new JsonObject
        {
            ["displayName"] = "Messaging",
            ["type"] = type,
            ["authorization"] = new JsonObject { ["type"] = "connectionString", ["connectionString"] = connectionString },
        };
        if (trustedCertificate is not null)
        {
            definition["trustedCertificate"] = trustedCertificate;
        }

        Assert.Null(Type(type, LocalReach.Allowed).Validate(definition));
        return definition;
    }
}
