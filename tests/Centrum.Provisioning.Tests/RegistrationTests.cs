using System.Text.Json.Nodes;
using Centrum.Provisioning.Registration;

namespace Centrum.Provisioning.Tests;

public sealed class RegistrationTests
{
    [Theory]
    [InlineData("device-01", true)]
    [InlineData("Device.01_a:b-", true)]
    [InlineData("device-01.", false)]
    [InlineData("device_", false)]
    [InlineData("a/b", false)]
    [InlineData("", false)]
    public void Registration_ids_follow_DPS_rules(string id, bool valid) => Assert.Equal(valid, RegistrationIds.IsValid(id));

    [Fact]
    public void Registration_ids_are_at_most_128_characters()
    {
        Assert.True(RegistrationIds.IsValid(new string('a', 128)));
        Assert.False(RegistrationIds.IsValid(new string('a', 129)));
    }

    [Theory]
    [InlineData("""{"registrationId":"d","payload":{"modelId":"dtmi:com:example:Thermostat;1"}}""")]
    [InlineData("""{"registrationId":"d","payload":{"iotcModelId":"dtmi:com:example:Thermostat;1"}}""")]
    [InlineData("""{"registrationId":"d","data":{"iotcModelId":"dtmi:com:example:Thermostat;1"}}""")]
    [InlineData("""{"registrationId":"d","payload":"{ \"iotcModelId\": \"dtmi:com:example:Thermostat;1\" }"}""")]
    public void The_model_id_is_found_in_every_shape_devices_send(string request)
    {
        Assert.Equal("dtmi:com:example:Thermostat;1", RegistrationService.ModelId(JsonNode.Parse(request)));
    }

    [Theory]
    [InlineData("""{"registrationId":"d"}""")]
    [InlineData("""{"registrationId":"d","payload":{"modelId":"not-a-dtmi"}}""")]
    [InlineData("""{"registrationId":"d","payload":"not json"}""")]
    public void No_model_id_is_invented(string request)
    {
        Assert.Null(RegistrationService.ModelId(JsonNode.Parse(request)));
    }
}
