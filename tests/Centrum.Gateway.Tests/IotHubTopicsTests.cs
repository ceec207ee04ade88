using Centrum.IotHub;

namespace Centrum.Gateway.Tests;

/// <summary>Every topic form of IoT Hub docs "Communicate with an IoT hub using the MQTT protocol" as the SDKs spell it, and what must be refused.</summary>
public sealed class IotHubTopicsTests
{
    [Theory]
    [InlineData("devices/dev1/messages/events/", "")]
    [InlineData("devices/dev1/messages/events", "")]
    [InlineData("devices/dev1/messages/events/temperatureAlert=false", "temperatureAlert=false")]
    [InlineData("devices/dev1/messages/events/%24.ct=application%2Fjson&%24.ce=utf-8&%24.sub=thermostat1", "%24.ct=application%2Fjson&%24.ce=utf-8&%24.sub=thermostat1")]
    [InlineData("devices/dev1/messages/events/temp=30&%24.ct=application/json&%24.ce=utf-8", "temp=30&%24.ct=application/json&%24.ce=utf-8")]
    public void Telemetry_topics_yield_their_property_bag(string topic, string bag)
    {
        var classified = IotHubTopics.ClassifyPublish(topic, "dev1", null);
        Assert.Equal(DeviceTopicKind.Telemetry, classified.Kind);
        Assert.Equal(bag, classified.Bag.ToString());
    }

    [Theory]
    [InlineData("$iothub/twin/GET/?$rid=6f1c", "TwinGet", "6f1c", 0)]
    [InlineData("$iothub/twin/PATCH/properties/reported/?$rid=9a2e", "TwinPatchReported", "9a2e", 0)]
    [InlineData("$iothub/twin/PATCH/properties/reported/?$rid=9a2e&$version=4", "TwinPatchReported", "9a2e", 0)]
    [InlineData("$iothub/methods/res/200/?$rid=1", "MethodResponse", "1", 200)]
    [InlineData("$iothub/methods/res/504/?$rid=ab-cd", "MethodResponse", "ab-cd", 504)]
    public void Request_topics_yield_their_request_id(string topic, string kind, string rid, int status)
    {
        var classified = IotHubTopics.ClassifyPublish(topic, "dev1", null);
        Assert.Equal((Enum.Parse<DeviceTopicKind>(kind), rid, status), (classified.Kind, classified.RequestId, classified.Status));
    }

    [Theory]
    [InlineData("devices/dev2/messages/events/")]
    [InlineData("devices/dev1x/messages/events/")]
    [InlineData("devices/dev1/messages/eventsx")]
    [InlineData("devices/dev1/messages/devicebound/")]
    [InlineData("devices/dev1/modules/m1/messages/events/")]
    [InlineData("$iothub/twin/GET/")]
    [InlineData("$iothub/twin/GET/?$rid=")]
    [InlineData("$iothub/methods/res/abc/?$rid=1")]
    [InlineData("$iothub/methods/POST/reboot/?$rid=1")]
    [InlineData("$dps/registrations/PUT/iotdps-register/?$rid=1")]
    [InlineData("anything/else")]
    public void Other_topics_are_forbidden(string topic)
    {
        Assert.Equal(DeviceTopicKind.Forbidden, IotHubTopics.ClassifyPublish(topic, "dev1", null).Kind);
    }

    [Theory]
    [InlineData("devices/dev1/messages/devicebound/#", 1, 1)]
    [InlineData("$iothub/methods/POST/#", 0, 0)]
    [InlineData("$iothub/twin/res/#", 1, 1)]
    [InlineData("$iothub/twin/PATCH/properties/desired/#", 2, 1)]
    [InlineData("devices/dev2/messages/devicebound/#", 1, 0x80)]
    [InlineData("devices/+/messages/devicebound/#", 1, 0x80)]
    [InlineData("#", 0, 0x80)]
    [InlineData("$iothub/#", 0, 0x80)]
    public void Subscriptions_are_granted_only_for_the_documented_filters(string filter, byte requested, byte granted)
    {
        Assert.Equal(granted, IotHubTopics.Grant(filter, requested, "dev1", null));
    }

    [Fact]
    public void Responses_keep_rid_first_and_the_slash_before_the_query()
    {
        Assert.Equal("$iothub/twin/res/200/?$rid=abc", IotHubTopics.TwinResponse(200, "abc"));
        Assert.Equal("$iothub/twin/res/204/?$rid=abc&$version=7", IotHubTopics.TwinResponse(204, "abc", 7));
    }

    [Fact]
    public void Filters_match_by_prefix()
    {
        Assert.True(IotHubTopics.Matches("$iothub/methods/POST/#", "$iothub/methods/POST/reboot/?$rid=1"));
        Assert.False(IotHubTopics.Matches("$iothub/twin/res/#", "$iothub/methods/POST/reboot/?$rid=1"));
    }

    [Fact]
    public void Cloud_to_device_topics_put_system_properties_first_and_escape_every_name_and_value()
    {
        KeyValuePair<string, string?>[] system = [new("mid", "c2d 1"), new("to", null), new("ct", "application/json")];
        KeyValuePair<string, string>[] application = [new("a b", "x/y"), new("plain", "value")];
        Assert.Equal(
            "devices/dev1/messages/devicebound/%24.mid=c2d%201&%24.ct=application%2Fjson&iothub-ack=none&a%20b=x%2Fy&plain=value",
            IotHubTopics.CloudToDevice("dev1", system, application));
        Assert.Equal("devices/dev1/messages/devicebound/iothub-ack=none", IotHubTopics.CloudToDevice("dev1", [], []));
    }

    [Theory]
    [InlineData("?$rid=1&$version=4", 4L)]
    [InlineData("?$version=12&$rid=1", 12L)]
    [InlineData("?$rid=1", null)]
    [InlineData("?$rid=1&$version=x", null)]
    public void The_reported_patch_version_is_read_from_its_query(string query, long? version)
    {
        Assert.Equal(version, IotHubTopics.VersionParameter(query));
    }
}
