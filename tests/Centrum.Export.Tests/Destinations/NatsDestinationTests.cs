using System.Text.Json.Nodes;
using Centrum.Export.Destinations;
using Centrum.Export.Destinations.Nats;
using Centrum.Export.Tests.Destinations.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Centrum.Export.Tests.Destinations;

/// <summary>nats@v1 against a real nats-server with JetStream, consumed back with NATS.Net.</summary>
public sealed class NatsDestinationTests(NatsServer server) : IClassFixture<NatsServer>
{
    [Fact]
    public async Task A_batch_is_stored_in_order_with_device_sequence_and_message_id_headers()
    {
        var context = Batches.Context();
        await using var admin = await ConnectAsync(server.Url);
        var stream = await CreateStreamAsync(admin, $"centrum.{context.ApplicationId}.>");
        var batch = Batches.RoundRobin(500, 700, 12);

        await using (var sender = Nats().Open(Definition(server.Url), context))
        {
            await sender.SendAsync(batch, CancellationToken.None);
        }

        var stored = await ReadAllAsync(admin, stream, batch.Messages.Count);
        Assert.Equal(batch.Messages.Select(m => m.Sequence), stored.Select(m => long.Parse(m.Headers!["centrum-sequence"]!, System.Globalization.CultureInfo.InvariantCulture)));
        for (var i = 0; i < stored.Count; i++)
        {
            var expected = batch.Messages[i];
            Assert.Equal($"centrum.{context.ApplicationId}.telemetry", stored[i].Subject);
            Assert.Equal(expected.DeviceId, stored[i].Headers!["centrum-device-id"].ToString());
            Assert.Equal($"{context.ApplicationId}/export-1/destination-1/{expected.Sequence}/0", stored[i].Headers!["Nats-Msg-Id"].ToString());
            Assert.Equal(expected.Body.ToArray(), stored[i].Data);
        }
    }

    [Fact]
    public async Task A_batch_sent_again_is_dropped_by_the_streams_duplicate_window()
    {
        var context = Batches.Context();
        await using var admin = await ConnectAsync(server.Url);
        var stream = await CreateStreamAsync(admin, $"centrum.{context.ApplicationId}.>");
        var batch = Batches.RoundRobin(1, 40, 4);

        await using (var sender = Nats().Open(Definition(server.Url), context))
        {
            await sender.SendAsync(batch, CancellationToken.None);
            await sender.SendAsync(batch, CancellationToken.None);
            await sender.SendAsync(Batches.RoundRobin(41, 10, 4), CancellationToken.None);
        }

        var info = await new NatsJSContext(admin).GetStreamAsync(stream);
        Assert.Equal(50L, info.Info.State.Messages);
    }

    [Fact]
    public async Task The_subject_takes_the_device_id_with_characters_that_would_break_it_escaped()
    {
        var context = Batches.Context();
        await using var admin = await ConnectAsync(server.Url);
        var stream = await CreateStreamAsync(admin, $"exports.{context.ApplicationId}.>");
        var definition = Definition(server.Url);
        definition["subject"] = "exports.{applicationId}.{source}.{deviceId}";
        var batch = new DeliveryBatch([Batches.Message(1, "plain", "{}"), Batches.Message(2, "dotted.id*", "{}"), Batches.Message(3, "50% off", "{}")]);

        await using (var sender = Nats().Open(definition, context))
        {
            await sender.SendAsync(batch, CancellationToken.None);
        }

        var stored = await ReadAllAsync(admin, stream, 3);
        Assert.Equal(
            [$"exports.{context.ApplicationId}.telemetry.plain", $"exports.{context.ApplicationId}.telemetry.dotted%2Eid%2A", $"exports.{context.ApplicationId}.telemetry.50%25%20off"],
            stored.Select(m => m.Subject));
        Assert.Equal("dotted.id*", stored[1].Headers!["centrum-device-id"].ToString());
    }

    [Fact]
    public async Task Without_a_stream_for_the_subject_the_batch_fails_as_transient_and_says_to_create_one()
    {
        var context = Batches.Context();

        await using var sender = Nats().Open(Definition(server.Url), context);
        var failure = await Assert.ThrowsAsync<DestinationException>(() => sender.SendAsync(Batches.RoundRobin(1, 5, 1), CancellationToken.None));

        Assert.False(failure.Permanent);
        Assert.Contains("create a stream", failure.Message, StringComparison.Ordinal);
        Assert.Contains($"centrum.{context.ApplicationId}.telemetry", failure.Message, StringComparison.Ordinal);

        // Once the user creates it, the pipeline's retry goes through.
        await using var admin = await ConnectAsync(server.Url);
        var stream = await CreateStreamAsync(admin, $"centrum.{context.ApplicationId}.>");
        await sender.SendAsync(Batches.RoundRobin(1, 5, 1), CancellationToken.None);
        Assert.Equal(5L, (await new NatsJSContext(admin).GetStreamAsync(stream)).Info.State.Messages);
    }

    [Fact]
    public async Task A_server_that_requires_a_token_takes_the_right_one_and_refuses_a_wrong_one_permanently()
    {
        const string Token = "the-token-of-this-test";
        await using var secured = await NatsServer.StartAsync(token: Token);
        var context = Batches.Context();
        await using var admin = await ConnectAsync(secured.Url, Token);
        var stream = await CreateStreamAsync(admin, $"centrum.{context.ApplicationId}.>");

        var definition = Definition(secured.Url);
        definition["authorization"] = new JsonObject { ["type"] = "token", ["token"] = Token };
        await using (var sender = Nats().Open(definition, context))
        {
            await sender.SendAsync(Batches.RoundRobin(1, 3, 1), CancellationToken.None);
        }

        definition["authorization"] = new JsonObject { ["type"] = "token", ["token"] = "a-wrong-token" };
        await using (var sender = Nats().Open(definition, context))
        {
            var failure = await Assert.ThrowsAsync<DestinationException>(() => sender.SendAsync(Batches.RoundRobin(4, 3, 1), CancellationToken.None));
            Assert.True(failure.Permanent);
            Assert.DoesNotContain("a-wrong-token", failure.Message, StringComparison.Ordinal);
        }

        Assert.Equal(3L, (await new NatsJSContext(admin).GetStreamAsync(stream)).Info.State.Messages);
    }

    [Fact]
    public async Task An_unreachable_server_is_transient_and_reached_on_a_later_attempt()
    {
        var port = ChildProcess.FreePort();
        var context = Batches.Context();
        await using var sender = Nats().Open(Definition($"nats://127.0.0.1:{port}"), context);
        var failure = await Assert.ThrowsAsync<DestinationException>(() => sender.SendAsync(Batches.RoundRobin(1, 1, 1), CancellationToken.None));
        Assert.False(failure.Permanent);

        await using var late = await NatsServer.StartAsync(port);
        await using var admin = await ConnectAsync(late.Url);
        var stream = await CreateStreamAsync(admin, $"centrum.{context.ApplicationId}.>");
        await sender.SendAsync(Batches.RoundRobin(1, 4, 1), CancellationToken.None);

        Assert.Equal(4L, (await new NatsJSContext(admin).GetStreamAsync(stream)).Info.State.Messages);
    }

    [Fact]
    public async Task Messages_of_one_record_and_of_two_applications_sharing_a_stream_are_all_stored()
    {
        // Two applications whose exports and destinations have the same ids publish into one stream, and one record
        // yields two messages (as a property change of several properties does); JetStream keeps every one.
        var first = Batches.Context();
        var second = Batches.Context();
        await using var admin = await ConnectAsync(server.Url);
        var stream = await CreateStreamAsync(admin, "shared.>");
        var definition = Definition(server.Url);
        definition["subject"] = "shared.{applicationId}";
        DeliveryBatch Batch() => new([Batches.Message(1, "dev-1", """{"n":1}"""), Batches.Message(1, "dev-1", """{"n":2}"""), Batches.Message(2, "dev-1", """{"n":3}""")]);

        foreach (var context in new[] { first, second })
        {
            await using var sender = Nats().Open(definition, context);
            await sender.SendAsync(Batch(), CancellationToken.None);
            // Sent again after a failure: still dropped as a duplicate.
            await sender.SendAsync(Batch(), CancellationToken.None);
        }

        var stored = await ReadAllAsync(admin, stream, 6);
        Assert.Equal(6L, (await new NatsJSContext(admin).GetStreamAsync(stream)).Info.State.Messages);
        Assert.Equal(6, stored.Select(m => m.Headers!["Nats-Msg-Id"].ToString()).Distinct().Count());
        Assert.Equal(
            [$"{first.ApplicationId}/export-1/destination-1/1/0", $"{first.ApplicationId}/export-1/destination-1/1/1", $"{first.ApplicationId}/export-1/destination-1/2/0"],
            stored.Take(3).Select(m => m.Headers!["Nats-Msg-Id"].ToString()));
    }

    [Fact]
    public async Task A_server_on_loopback_is_refused_by_default_at_connect_time()
    {
        var context = Batches.Context();
        var type = new NatsDestinationType(NullLoggerFactory.Instance, new DestinationReach(allowLocal: false, refusePrivate: false, management: null));
        await using var sender = type.Open(Definition(server.Url), context);

        var refused = await Assert.ThrowsAsync<DestinationException>(() => sender.SendAsync(Batches.RoundRobin(1, 2, 1), CancellationToken.None));
        Assert.True(refused.Permanent, refused.Message);
        Assert.Contains("loopback", refused.Message, StringComparison.Ordinal);
    }

    private static NatsDestinationType Nats() => new(NullLoggerFactory.Instance, LocalReach.Allowed);

    private static JsonObject Definition(string url) => new()
    {
        ["displayName"] = "Stream",
        ["type"] = "nats@v1",
        ["url"] = url,
    };

    private static async Task<NatsConnection> ConnectAsync(string url, string? token = null)
    {
        var connection = new NatsConnection(new NatsOpts { Url = url, AuthOpts = new NatsAuthOpts { Token = token } });
        await connection.ConnectAsync();
        return connection;
    }

    /// <summary>A stream of this test's own, named after it, over <paramref name="subjects"/>.</summary>
    private static async Task<string> CreateStreamAsync(NatsConnection connection, string subjects)
    {
        var name = "export-" + Guid.NewGuid().ToString("N")[..12];
        await new NatsJSContext(connection).CreateStreamAsync(new StreamConfig(name, [subjects]));
        return name;
    }

    private static async Task<List<INatsJSMsg<byte[]>>> ReadAllAsync(NatsConnection connection, string stream, int count)
    {
        var consumer = await new NatsJSContext(connection).CreateOrderedConsumerAsync(stream);
        var messages = new List<INatsJSMsg<byte[]>>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var message in consumer.ConsumeAsync<byte[]>(cancellationToken: timeout.Token))
        {
            messages.Add(message);
            if (messages.Count == count)
            {
                break;
            }
        }

        return messages;
    }
}
