using Centrum.Devices;

namespace Centrum.Core.Tests;

public sealed class DeviceIdsTests
{
    [Theory]
    [InlineData("d1", true)]
    [InlineData("Thermostat-01.floor_2:a", true)]
    [InlineData("", false)]
    [InlineData("a/b", false)]
    [InlineData("a#b", false)]
    [InlineData("a+b", false)]
    [InlineData("a?b", false)]
    [InlineData("a%b", false)]
    [InlineData("a b", false)]
    public void Ids_use_the_topic_safe_subset(string id, bool valid) => Assert.Equal(valid, DeviceIds.IsValid(id));

    [Fact]
    public void Ids_are_at_most_128_characters()
    {
        Assert.True(DeviceIds.IsValid(new string('a', 128)));
        Assert.False(DeviceIds.IsValid(new string('a', 129)));
    }
}
