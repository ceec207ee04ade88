using System.Net;
using Centrum.Export.Destinations;

namespace Centrum.Export.Tests.Destinations;

/// <summary>Which addresses export destinations may reach, by default and with each option.</summary>
public sealed class DestinationReachTests
{
    private static readonly IPEndPoint Management = new(IPAddress.Parse("127.0.0.1"), 9464);

    [Theory]
    [InlineData("127.0.0.1", 80, "loopback")]
    [InlineData("127.8.9.10", 443, "loopback")]
    [InlineData("::1", 443, "loopback")]
    [InlineData("0.0.0.0", 80, "unspecified")]
    [InlineData("::", 80, "unspecified")]
    [InlineData("::ffff:127.0.0.1", 80, "loopback")]
    [InlineData("169.254.169.254", 80, "link-local")]
    [InlineData("::ffff:169.254.169.254", 80, "link-local")]
    [InlineData("fe80::1", 80, "link-local")]
    [InlineData("127.0.0.1", 9464, "management port")]
    public void Local_addresses_and_the_management_port_are_refused_by_default(string address, int port, string reason)
    {
        var refusal = new DestinationReach(allowLocal: false, refusePrivate: false, Management).Refusal(IPAddress.Parse(address), port);
        Assert.NotNull(refusal);
        Assert.Contains(reason, refusal, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.1.2.3")]
    [InlineData("172.20.0.5")]
    [InlineData("192.168.1.10")]
    [InlineData("100.64.0.1")]
    [InlineData("fd00::5")]
    public void Private_addresses_are_allowed_unless_refused(string address)
    {
        Assert.Null(new DestinationReach(allowLocal: false, refusePrivate: false, Management).Refusal(IPAddress.Parse(address), 443));
        Assert.Contains("private", new DestinationReach(allowLocal: false, refusePrivate: true, Management).Refusal(IPAddress.Parse(address), 443), StringComparison.Ordinal);
    }

    [Fact]
    public void Allowing_local_destinations_never_allows_the_management_port()
    {
        var reach = new DestinationReach(allowLocal: true, refusePrivate: false, Management);
        Assert.Null(reach.Refusal(IPAddress.Loopback, 8080));
        Assert.Null(reach.Refusal(IPAddress.Parse("169.254.169.254"), 80));
        Assert.Contains("management port", reach.Refusal(IPAddress.Loopback, 9464), StringComparison.Ordinal);
        Assert.Contains("management port", reach.Refusal(IPAddress.Parse("127.0.0.1"), 9464), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("2001:4860:4860::8888")]
    [InlineData("172.32.0.1")]
    [InlineData("169.255.0.1")]
    public void Public_addresses_are_allowed(string address) =>
        Assert.Null(new DestinationReach(allowLocal: false, refusePrivate: true, Management).Refusal(IPAddress.Parse(address), 443));

    [Fact]
    public async Task A_name_is_checked_on_every_address_it_resolves_to()
    {
        var reach = new DestinationReach(allowLocal: false, refusePrivate: false, management: null);
        var refused = await Assert.ThrowsAsync<DestinationRefusedException>(() => reach.ConnectAsync("localhost", 9, CancellationToken.None));
        Assert.Contains("localhost:9", refused.Message, StringComparison.Ordinal);
        Assert.Contains("loopback", refused.Message, StringComparison.Ordinal);
    }
}
