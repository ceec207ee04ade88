using Centrum.Security;

namespace Centrum.Core.Tests;

/// <summary>
/// The <c>sr</c> forms real clients send for one identity (Azure/iotedge <c>edge-util/src/Microsoft.Azure.Devices.Edge.Util/SasTokenHelper.cs</c>,
/// Azure/iot-identity-service <c>identity/aziot-cloud-client-async/src/connector.rs</c>, azure-iot-sdk-node
/// <c>device/core/src/sak_authentication_provider.ts</c>), each given here decoded once, as the token parser gives it.
/// </summary>
public sealed class SasResourceTests
{
    [Theory]
    [InlineData("hub.example.test/devices/edge1/modules/$edgeHub")] // Node SDK: encoded once
    [InlineData("hub.example.test/devices/edge1/modules/%24edgeHub")] // C# SDK and the IoT Edge hub's client token: twice
    [InlineData("hub.example.test/devices/edge1/modules/%2524edgeHub")] // the IoT Edge hub's service token: three times
    public void Module_resource_names_the_module_however_often_its_segments_were_encoded(string resource) =>
        Assert.True(SasResource.Names(resource, "hub.example.test", "edge1", "$edgeHub"));

    [Fact]
    public void Identity_service_lowercases_host_and_device_and_still_names_the_device() =>
        Assert.True(SasResource.Names("hub.example.test/devices/edge-1", "Hub.Example.Test", "Edge-1", null));

    [Theory]
    [InlineData("hub.example.test/devices/edge1", "edge1", "m1")] // a device's resource is not its module's
    [InlineData("hub.example.test/devices/edge1/modules/m1", "edge1", null)] // nor the other way round
    [InlineData("hub.example.test/devices/edge1/modules/M1", "edge1", "m1")] // module ids compare exactly
    [InlineData("hub.example.test/devices/edge2/modules/m1", "edge1", "m1")]
    [InlineData("other.example.test/devices/edge1/modules/m1", "edge1", "m1")]
    [InlineData("hub.example.test/things/edge1/modules/m1", "edge1", "m1")]
    [InlineData("hub.example.test/devices/edge1/modules/m1/x", "edge1", "m1")]
    [InlineData("hub.example.test/devices/edge1%2Fmodules%2Fm1", "edge1", null)] // a slash smuggled inside a segment
    public void Resource_of_another_identity_is_refused(string resource, string deviceId, string? moduleId) =>
        Assert.False(SasResource.Names(resource, "hub.example.test", deviceId, moduleId));

    [Theory]
    [InlineData("hub.example.test/devices/edge1/modules/%24edgeHub", "edge1", "$edgeHub")] // the IoT Edge hub's client token
    [InlineData("hub.example.test/devices/edge1/modules/%2524edgeHub", "edge1", "$edgeHub")] // its service token
    [InlineData("hub.example.test/devices/leaf-1", "leaf-1", null)]
    public void Identity_of_a_resource_is_read_with_its_segments_decoded(string resource, string deviceId, string? moduleId)
    {
        Assert.True(SasResource.TryIdentity(resource, out var host, out var device, out var module));
        Assert.Equal(("hub.example.test", deviceId, moduleId), (host, device, module));
    }

    [Theory]
    [InlineData("hub.example.test/devices")]
    [InlineData("hub.example.test/devices/")]
    [InlineData("hub.example.test/things/edge1")]
    [InlineData("hub.example.test/devices/edge1/modules/")]
    [InlineData("hub.example.test/devices/edge1/widgets/m1")]
    [InlineData("hub.example.test/devices/edge1/modules/m1/x")]
    public void Resource_that_names_no_identity_has_none(string resource) =>
        Assert.False(SasResource.TryIdentity(resource, out _, out _, out _));
}
