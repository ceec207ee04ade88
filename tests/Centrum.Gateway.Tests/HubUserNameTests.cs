using Centrum.IotHub;

namespace Centrum.Gateway.Tests;

/// <summary>User names exactly as the SDKs send them (IoT Hub docs "Communicate with an IoT hub using the MQTT protocol", "Using the MQTT protocol directly").</summary>
public sealed class HubUserNameTests
{
    [Fact]
    public void Node_PnP_user_name_carries_a_raw_model_id()
    {
        var user = HubUserName.Parse("hub.example.local/tc-01/?api-version=2021-04-12&model-id=dtmi:com:example:TemperatureController;2&DeviceClientType=azure-iot-device%2F1.18.4%20(node%20v20.20.2%3B%20Ubuntu%2022.04%3B%20x64)");
        Assert.NotNull(user);
        Assert.Equal(("hub.example.local", "tc-01", null), (user.HostName, user.DeviceId, user.ModuleId));
        Assert.Equal("dtmi:com:example:TemperatureController;2", user.ModelId);
        Assert.Equal("azure-iot-device/1.18.4 (node v20.20.2; Ubuntu 22.04; x64)", user.ClientType);
    }

    [Fact]
    public void C_user_name_has_an_encoded_model_id_last()
    {
        var user = HubUserName.Parse("hub/device-01/?api-version=2020-09-30&DeviceClientType=iothubclient%2f1.x&model-id=dtmi%3acom%3aexample%3aThermostat%3b1");
        Assert.Equal("dtmi:com:example:Thermostat;1", user!.ModelId);
    }

    /// <summary>
    /// The IoT Edge hub's upstream connection for a downstream device (Azure/azure-iot-sdk-csharp
    /// <c>iothub/device/src/Transport/Mqtt/MqttIotHubAdapter.cs</c>, <c>ConnectAsync</c>): the chain is escaped.
    /// </summary>
    [Fact]
    public void Edge_hub_user_name_carries_the_auth_chain()
    {
        var user = HubUserName.Parse("hub/leaf1/?api-version=2020-09-30&DeviceClientType=Microsoft.Azure.Devices.Client%2F1.43.0-edgeLts&auth-chain=leaf1%3Bedge1");
        Assert.Equal(("leaf1", "leaf1;edge1"), (user!.DeviceId, user.AuthChain));
        Assert.Null(HubUserName.Parse("hub/leaf1/?api-version=2020-09-30")!.AuthChain);
    }

    [Theory]
    [InlineData("hub/dev1", "dev1", null)]
    [InlineData("hub/dev1/", "dev1", null)]
    [InlineData("hub/dev1/mod1/?api-version=1", "dev1", "mod1")]
    public void Hand_written_forms_parse(string userName, string device, string? module)
    {
        var user = HubUserName.Parse(userName);
        Assert.Equal((device, module), (user!.DeviceId, user.ModuleId));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("hub")]
    [InlineData("hub//dev")]
    [InlineData("a/b/c/d")]
    [InlineData("0ne00000001/registrations/device-01/api-version=2019-03-31")]
    public void Other_shapes_do_not_parse(string? userName)
    {
        Assert.Null(HubUserName.Parse(userName));
    }
}
