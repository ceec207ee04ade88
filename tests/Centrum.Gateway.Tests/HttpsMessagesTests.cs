using System.Text;
using Centrum.Applications;
using Centrum.Gateway.Authentication;
using Centrum.Gateway.Https;
using Microsoft.AspNetCore.Http;

namespace Centrum.Gateway.Tests;

/// <summary>
/// Telemetry as the HTTPS device API carries it (IoT Hub REST reference "Device - Send Device Event"): properties from
/// <c>iothub-app-*</c> and <c>iothub-*</c> headers, batches as <c>application/vnd.microsoft.iothub.json</c>, and the
/// MQTT path's limits.
/// </summary>
public sealed class HttpsMessagesTests
{
    private static readonly DeviceIdentity Identity = new(new Application("app-1", "Test", "test.example", "0ne00000000", Suspended: false), "dev-1", null, null, DateTimeOffset.MaxValue);

    [Fact]
    public void Headers_give_application_and_system_properties()
    {
        var headers = new HeaderDictionary
        {
            ["IoTHub-MessageId"] = "m-1",
            ["iothub-correlationid"] = "c-1",
            ["iothub-contenttype"] = "application/json",
            ["iothub-contentencoding"] = "utf-8",
            ["dt-subject"] = "thermostat1",
            ["iothub-app-site"] = "north wing",
            ["iothub-to"] = "/devices/dev-1/messages/events",
            ["User-Agent"] = "azure-iot-device",
        };
        var result = HttpsMessages.FromRequest(headers, "{}"u8.ToArray(), Identity, DateTimeOffset.UnixEpoch);

        var message = Assert.Single(result.Value);
        Assert.Equal(("m-1", "c-1", "application/json", "utf-8", "thermostat1"), (message.MessageId, message.CorrelationId, message.ContentType, message.ContentEncoding, message.Component));
        Assert.Equal([new("site", "north wing")], message.Properties);
        Assert.Equal(("app-1", "dev-1"), (message.ApplicationId, message.DeviceId));
    }

    [Fact]
    public void A_batch_decodes_base64_bodies_and_each_message_s_properties()
    {
        var batch = """[{"body":"eyJ0IjoxfQ==","properties":{"iothub-app-k":"v","iothub-messageid":"b-1"}},{"body":"{\"t\":2}","base64Encoded":false}]""";
        var result = HttpsMessages.ParseBatch(Encoding.UTF8.GetBytes(batch), Identity, DateTimeOffset.UnixEpoch);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(["{\"t\":1}", "{\"t\":2}"], result.Value.Select(m => Encoding.UTF8.GetString(m.Body.Span)));
        Assert.Equal("b-1", result.Value[0].MessageId);
        Assert.Equal([new("k", "v")], result.Value[0].Properties);
    }

    [Theory]
    [InlineData("not json", 400)]
    [InlineData("{}", 400)]
    [InlineData("[]", 400)]
    [InlineData("""[{"body":"%%%"}]""", 400)]
    [InlineData("""[{"body":"e30=","properties":{"k":1}}]""", 400)]
    [InlineData("""[{"nobody":"e30="}]""", 400)]
    public void A_malformed_batch_is_refused_as_an_argument_error(string batch, int status)
    {
        var result = HttpsMessages.ParseBatch(Encoding.UTF8.GetBytes(batch), Identity, DateTimeOffset.UnixEpoch);
        Assert.False(result.Succeeded);
        Assert.Equal((status, "ArgumentInvalid"), (result.Status, result.Code));
    }

    [Fact]
    public void Messages_past_256_KB_together_or_a_long_message_id_are_refused()
    {
        var half = Convert.ToBase64String(new byte[(128 * 1024) + 1]);
        var batch = $$"""[{"body":"{{half}}"},{"body":"{{half}}"}]""";
        var tooLarge = HttpsMessages.ParseBatch(Encoding.UTF8.GetBytes(batch), Identity, DateTimeOffset.UnixEpoch);
        Assert.Equal((413, "MessageTooLarge"), (tooLarge.Status, tooLarge.Code));

        var single = HttpsMessages.FromRequest(new HeaderDictionary { ["iothub-app-big"] = new string('x', 256 * 1024) }, [1], Identity, DateTimeOffset.UnixEpoch);
        Assert.Equal(413, single.Status);

        var longId = HttpsMessages.FromRequest(new HeaderDictionary { ["iothub-messageid"] = new string('m', 129) }, [1], Identity, DateTimeOffset.UnixEpoch);
        Assert.Equal((400, "ArgumentInvalid"), (longId.Status, longId.Code));
    }
}
