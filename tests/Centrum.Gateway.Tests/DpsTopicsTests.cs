using Centrum.IotHub;

namespace Centrum.Gateway.Tests;

/// <summary>The DPS MQTT grammar as the SDKs speak it (DPS docs "Communicate with DPS using the MQTT protocol").</summary>
public sealed class DpsTopicsTests
{
    [Theory]
    [InlineData("0ne00000001/registrations/device-01/api-version=2019-03-31&ClientVersion=azure-iot-provisioning-device%2F1.9.1", "0ne00000001", "device-01")]
    [InlineData("0ne00000001/registrations/device-01/api-version=2021-06-01", "0ne00000001", "device-01")]
    public void Provisioning_user_names_name_the_scope_and_registration(string userName, string scope, string registration)
    {
        Assert.Equal((scope, registration), DpsTopics.ParseUserName(userName));
    }

    [Theory]
    [InlineData("hub.example.local/device-01/?api-version=2021-04-12")]
    [InlineData("0ne00000001/registrations/device-01/?api-version=2019-03-31")]
    [InlineData("0ne00000001/registration/device-01/api-version=2019-03-31")]
    [InlineData(null)]
    public void Hub_and_malformed_user_names_are_not_provisioning(string? userName)
    {
        Assert.Null(DpsTopics.ParseUserName(userName));
    }

    [Fact]
    public void Register_and_status_topics_yield_request_and_operation_ids()
    {
        Assert.Equal(new DpsTopic(DpsTopicKind.Register, "c2d2"), DpsTopics.Classify("$dps/registrations/PUT/iotdps-register/?$rid=c2d2"));
        Assert.Equal(new DpsTopic(DpsTopicKind.OperationStatus, "7", "5.abc.def"), DpsTopics.Classify("$dps/registrations/GET/iotdps-get-operationstatus/?$rid=7&operationId=5.abc.def"));
        Assert.Equal(DpsTopicKind.Forbidden, DpsTopics.Classify("$dps/registrations/GET/iotdps-get-operationstatus/?$rid=7").Kind);
        Assert.Equal(DpsTopicKind.Forbidden, DpsTopics.Classify("devices/x/messages/events/").Kind);
    }

    [Fact]
    public void Responses_put_rid_first_and_retry_after_second()
    {
        Assert.Equal("$dps/registrations/res/202/?$rid=1&retry-after=3", DpsTopics.Response(202, "1", 3));
        Assert.Equal("$dps/registrations/res/401/?$rid=1", DpsTopics.Response(401, "1", null));
    }
}
