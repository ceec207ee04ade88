using System.Text;
using Centrum.Applications;
using Centrum.Gateway.Amqp;
using Centrum.Gateway.Authentication;
using Centrum.IotHub;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Encoding;
using Microsoft.Azure.Amqp.Framing;

namespace Centrum.Gateway.Tests;

/// <summary>
/// What the AMQP transport reads itself (the library parses the frames): link addresses, SAS token resources, the
/// sections of a telemetry message and the encoded messages of a batch. Valid forms map as IoT Hub's; generated and
/// mutated ones yield a refusal or an identity, never an exception.
/// </summary>
public sealed class AmqpInputFuzzTests
{
    private static readonly DeviceIdentity Device = new(new Application("app", "Test", "hub.example", "0ne00000000", Suspended: false), "dev-1", null, null, DateTimeOffset.MaxValue);

    [Theory]
    [InlineData("/devices/dev-1/messages/events", (int)AmqpNodeKind.Telemetry, "dev-1", null)]
    [InlineData("amqps://hub.example/devices/dev%2B1/messages/events", (int)AmqpNodeKind.Telemetry, "dev+1", null)]
    [InlineData("/devices/d/modules/m/messages/events", (int)AmqpNodeKind.Telemetry, "d", "m")]
    [InlineData("/devices/d/messages/deviceBound", (int)AmqpNodeKind.CloudToDevice, "d", null)]
    [InlineData("/devices/d/messages/devicebound", (int)AmqpNodeKind.CloudToDevice, "d", null)]
    [InlineData("/devices/d/methods/devicebound", (int)AmqpNodeKind.Methods, "d", null)]
    [InlineData("/devices/d/modules/m/twin", (int)AmqpNodeKind.Twin, "d", "m")]
    [InlineData("$cbs", (int)AmqpNodeKind.Cbs, null, null)]
    [InlineData("/$cbs", (int)AmqpNodeKind.Cbs, null, null)]
    [InlineData("/devices//messages/events", (int)AmqpNodeKind.Unknown, null, null)]
    [InlineData("/devices/a%2Fb/messages/events", (int)AmqpNodeKind.Unknown, null, null)]
    [InlineData("/devices/d/messages/events/extra", (int)AmqpNodeKind.Unknown, null, null)]
    [InlineData("amqps://[bad/devices/d/messages/events", (int)AmqpNodeKind.Unknown, null, null)]
    public void Addresses_map_as_IoT_Hub_names_them(string address, int kind, string? deviceId, string? moduleId)
    {
        var parsed = AmqpAddress.Parse(address);
        Assert.Equal((AmqpNodeKind)kind, parsed.Kind);
        Assert.Equal(deviceId, parsed.DeviceId);
        Assert.Equal(moduleId, parsed.ModuleId);
    }

    [Fact]
    public void Token_resources_name_a_device_or_a_module()
    {
        Assert.Equal(("hub.example", "d", null), AmqpAddress.ParseTokenResource("hub.example/devices/d"));
        Assert.Equal(("hub.example", "d", (string?)"m"), AmqpAddress.ParseTokenResource("hub.example/devices/d/modules/m"));
        Assert.Null(AmqpAddress.ParseTokenResource("hub.example"));
        Assert.Null(AmqpAddress.ParseTokenResource("hub.example/devices/d/modules/"));
        Assert.Null(AmqpAddress.ParseTokenResource("scope/registrations/r"));
    }

    [Fact]
    public void Generated_and_mutated_addresses_and_resources_never_throw()
    {
        var random = new Random(20261129);
        string[] seeds = ["/devices/dev-1/messages/events", "amqps://hub.example/devices/d/modules/m/twin", "$cbs", "hub.example/devices/d/modules/m", "/devices/d/methods/devicebound"];
        var recognised = 0;
        for (var i = 0; i < 100_000; i++)
        {
            var text = Mutate(seeds[random.Next(seeds.Length)], random);
            var address = AmqpAddress.Parse(text);
            if (address.Kind != AmqpNodeKind.Unknown)
            {
                recognised++;
                Assert.True(address.Kind == AmqpNodeKind.Cbs || !string.IsNullOrEmpty(address.DeviceId), text);
                Assert.DoesNotContain('/', address.DeviceId ?? "");
            }

            _ = AmqpAddress.ParseTokenResource(text);
        }

        Assert.True(recognised > 1000, $"only {recognised} mutated addresses were recognised");
        Assert.Equal(AmqpNodeKind.Unknown, AmqpAddress.Parse("/devices/" + new string('d', AmqpAddress.MaxLength) + "/messages/events").Kind);
    }

    [Fact]
    public void A_telemetry_message_maps_its_properties_as_IoT_Hub_does()
    {
        using var message = AmqpMessage.Create(new Data { Value = new ArraySegment<byte>("""{"t":1}"""u8.ToArray()) });
        message.Properties.MessageId = "m-1";
        message.Properties.CorrelationId = "c-1";
        message.Properties.ContentType = "application/json";
        message.Properties.ContentEncoding = "utf-8";
        message.ApplicationProperties.Map["site"] = "north";
        message.ApplicationProperties.Map["count"] = 3;
        message.ApplicationProperties.Map["iothub-creation-time-utc"] = "2026-11-29T01:02:03Z";
        message.MessageAnnotations.Map["dt-subject"] = "thermostat1";

        var result = AmqpTelemetryMapping.ToTelemetry(message, Device, DateTimeOffset.UnixEpoch);
        var telemetry = Assert.IsType<Centrum.Telemetry.TelemetryMessage>(result.Message);
        Assert.Equal("m-1", telemetry.MessageId);
        Assert.Equal("c-1", telemetry.CorrelationId);
        Assert.Equal("application/json", telemetry.ContentType);
        Assert.Equal("utf-8", telemetry.ContentEncoding);
        Assert.Equal("thermostat1", telemetry.Component);
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 1, 2, 3, TimeSpan.Zero), telemetry.CreationTime);
        Assert.Contains(new KeyValuePair<string, string?>("site", "north"), telemetry.Properties);
        Assert.Contains(new KeyValuePair<string, string?>("count", "3"), telemetry.Properties);
        Assert.Equal("""{"t":1}""", Encoding.UTF8.GetString(telemetry.Body.Span));
    }

    [Fact]
    public void A_message_over_256_KB_or_with_a_long_message_id_is_refused()
    {
        using var big = AmqpMessage.Create(new Data { Value = new ArraySegment<byte>(new byte[IotHubLimits.MaxTelemetrySize + 1]) });
        Assert.Equal(AmqpErrorCode.MessageSizeExceeded, AmqpTelemetryMapping.ToTelemetry(big, Device, DateTimeOffset.UnixEpoch).Error?.Condition);

        using var longId = AmqpMessage.Create(new Data { Value = new ArraySegment<byte>([1]) });
        longId.Properties.MessageId = new string('m', 129);
        Assert.Equal(AmqpErrorCode.InvalidField, AmqpTelemetryMapping.ToTelemetry(longId, Device, DateTimeOffset.UnixEpoch).Error?.Condition);
    }

    [Fact]
    public void Generated_and_mutated_batch_messages_yield_telemetry_or_a_refusal_never_an_exception()
    {
        var random = new Random(29);
        int mapped = 0, refused = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var encoded = Encode(RandomMessage(random));
            if (random.Next(3) > 0)
            {
                for (var flips = random.Next(1, 6); flips > 0; flips--)
                {
                    encoded[random.Next(encoded.Length)] = (byte)random.Next(256);
                }
            }

            if (random.Next(10) == 0)
            {
                encoded = encoded[..random.Next(encoded.Length)];
            }

            using var part = AmqpMessage.CreateAmqpStreamMessage(new BufferListStream([new ArraySegment<byte>(encoded)]));
            var result = AmqpTelemetryMapping.DecodeToTelemetry(part, Device, DateTimeOffset.UnixEpoch);
            Assert.True(result.Message is not null ^ result.Error is not null);
            if (result.Message is not null)
            {
                mapped++;
                Assert.True(result.Message.Body.Length <= IotHubLimits.MaxTelemetrySize);
            }
            else
            {
                refused++;
            }
        }

        Assert.True(mapped > 1000 && refused > 1000, $"{mapped} mapped, {refused} refused");
    }

    [Fact]
    public void Twin_requests_and_method_answers_map_as_the_SDKs_send_them()
    {
        Assert.Equal(TwinOperation.Get, AmqpRequestMapping.TwinRequest(Twin("GET", null, " ")));
        Assert.Equal(TwinOperation.PatchReported, AmqpRequestMapping.TwinRequest(Twin("PATCH", "/properties/reported", """{"a":1}""")));
        Assert.Equal(TwinOperation.EnableDesired, AmqpRequestMapping.TwinRequest(Twin("PUT", "/notifications/twin/properties/desired", " ")));
        Assert.Equal(TwinOperation.DisableDesired, AmqpRequestMapping.TwinRequest(Twin("DELETE", "/notifications/twin/properties/desired", null)));
        Assert.Equal(TwinOperation.Unknown, AmqpRequestMapping.TwinRequest(Twin("PATCH", "/properties/desired", "{}")));
        Assert.Equal(1, (int)AmqpRequestMapping.ReportedPatch(Twin("PATCH", "/properties/reported", """{"a":1}"""))!["a"]!);
        Assert.Null(AmqpRequestMapping.ReportedPatch(Twin("PATCH", "/properties/reported", "[1]")));
        Assert.Null(AmqpRequestMapping.ReportedPatch(Twin("PATCH", "/properties/reported", new string('[', 100) + new string(']', 100))));

        var id = Guid.NewGuid();
        using var answer = AmqpMessage.Create(new Data { Value = new ArraySegment<byte>(Encoding.UTF8.GetBytes("""{"ok":true}""")) });
        answer.Properties.CorrelationId = id;
        answer.ApplicationProperties.Map["IoThub-status"] = 201;
        Assert.Equal((id, 201), (AmqpRequestMapping.MethodAnswer(answer).RequestId, AmqpRequestMapping.MethodAnswer(answer).Status));
        using var textual = AmqpMessage.Create();
        textual.Properties.CorrelationId = id.ToString();
        textual.ApplicationProperties.Map["IoThub-status"] = "404";
        Assert.Equal((id, 404), (AmqpRequestMapping.MethodAnswer(textual).RequestId, AmqpRequestMapping.MethodAnswer(textual).Status));
    }

    [Fact]
    public void Generated_and_mutated_twin_requests_and_method_answers_map_or_are_refused_never_throw()
    {
        var random = new Random(1129);
        object[] values = ["GET", "PATCH", "PUT", "DELETE", "/properties/reported", "/notifications/twin/properties/desired", new AmqpSymbol("GET"), 7, 7L, Guid.NewGuid(), new ArraySegment<byte>([1]), null!];
        int known = 0, unknown = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var message = RandomMessage(random);
            message.MessageAnnotations.Map["operation"] = values[random.Next(values.Length)];
            message.MessageAnnotations.Map["resource"] = values[random.Next(values.Length)];
            message.ApplicationProperties.Map["IoThub-status"] = values[random.Next(values.Length)];
            var encoded = Encode(message);
            if (random.Next(3) > 0)
            {
                for (var flips = random.Next(1, 6); flips > 0; flips--)
                {
                    encoded[random.Next(encoded.Length)] = (byte)random.Next(256);
                }
            }

            using var received = AmqpMessage.CreateAmqpStreamMessage(new BufferListStream([new ArraySegment<byte>(encoded)]));
            var operation = AmqpRequestMapping.TwinRequest(received);
            _ = AmqpRequestMapping.ReportedPatch(received);
            _ = AmqpRequestMapping.CorrelationId(received);
            var (_, _, body) = AmqpRequestMapping.MethodAnswer(received);
            Assert.True(body.Length <= IotHubLimits.MaxTelemetrySize);
            if (operation == TwinOperation.Unknown)
            {
                unknown++;
            }
            else
            {
                known++;
            }
        }

        Assert.True(known > 1000 && unknown > 1000, $"{known} known, {unknown} unknown");
    }

    private static AmqpMessage Twin(string operation, string? resource, string? body)
    {
        var message = body is null ? AmqpMessage.Create() : AmqpMessage.Create(new Data { Value = new ArraySegment<byte>(Encoding.UTF8.GetBytes(body)) });
        message.MessageAnnotations.Map["operation"] = operation;
        if (resource is not null)
        {
            message.MessageAnnotations.Map["resource"] = resource;
        }

        message.Properties.CorrelationId = Guid.NewGuid().ToString();
        return message;
    }

    private static AmqpMessage RandomMessage(Random random)
    {
        var body = new byte[random.Next(0, 64)];
        random.NextBytes(body);
        var message = random.Next(4) == 0 ? AmqpMessage.Create(new AmqpValue { Value = Encoding.UTF8.GetString(body) }) : AmqpMessage.Create(new Data { Value = new ArraySegment<byte>(body) });
        object[] values = ["text", 42, 42L, true, 1.5, Guid.NewGuid(), new AmqpSymbol("sym"), new ArraySegment<byte>([1, 2]), DateTime.UtcNow, null!];
        for (var i = random.Next(0, 6); i > 0; i--)
        {
            message.ApplicationProperties.Map["p" + i] = values[random.Next(values.Length)];
        }

        object[] ids = ["id-" + random.Next(), (ulong)random.Next(), Guid.NewGuid(), new ArraySegment<byte>([9])];
        message.Properties.MessageId = ids[random.Next(ids.Length)] switch
        {
            string s => s,
            ulong u => u,
            Guid g => g,
            ArraySegment<byte> b => b,
            _ => null,
        };
        if (random.Next(2) == 0)
        {
            message.Properties.ContentType = "application/json";
        }

        if (random.Next(3) == 0)
        {
            message.MessageAnnotations.Map["dt-subject"] = random.Next(2) == 0 ? "c1" : 7;
        }

        return message;
    }

    private static byte[] Encode(AmqpMessage message)
    {
        using (message)
        {
            var buffers = message.GetPayload(int.MaxValue, out _);
            return [.. buffers.SelectMany(b => b.AsEnumerable())];
        }
    }

    private static string Mutate(string seed, Random random)
    {
        var text = new StringBuilder(seed);
        const string alphabet = "/%2Fdevicesmodules$cbs:?#[]+ \u00e9\u0000";
        for (var n = random.Next(0, 4); n > 0; n--)
        {
            var at = random.Next(text.Length + 1);
            switch (random.Next(3))
            {
                case 0: text.Insert(at, alphabet[random.Next(alphabet.Length)]); break;
                case 1 when at < text.Length: text.Remove(at, 1); break;
                default: text.Insert(at, "/devices/"); break;
            }
        }

        return text.ToString();
    }
}
