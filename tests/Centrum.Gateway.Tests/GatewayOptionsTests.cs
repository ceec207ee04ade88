using System.ComponentModel.DataAnnotations;

namespace Centrum.Gateway.Tests;

/// <summary>The admission limits are validated at start (ValidateDataAnnotations, ValidateOnStart): nonsense stops the server.</summary>
public sealed class GatewayOptionsTests
{
    [Fact]
    public void The_defaults_are_valid() => Assert.Empty(Validate(new GatewayOptions()));

    [Theory]
    [InlineData(nameof(GatewayOptions.MaxConnections))]
    [InlineData(nameof(GatewayOptions.MaxPendingConnections))]
    [InlineData(nameof(GatewayOptions.MaxPendingConnectionsPerAddress))]
    [InlineData(nameof(GatewayOptions.ConnectionsPerSecond))]
    [InlineData(nameof(GatewayOptions.OutboundQueueBytes))]
    public void A_limit_of_zero_is_refused(string property)
    {
        var options = new GatewayOptions();
        typeof(GatewayOptions).GetProperty(property)!.SetValue(options, 0);
        Assert.Contains(Validate(options), r => r.MemberNames.Contains(property));
    }

    [Fact]
    public void Timeouts_outside_their_range_are_refused()
    {
        var options = new GatewayOptions
        {
            ConnectTimeout = TimeSpan.Zero,
            ProvisioningIdleTimeout = TimeSpan.FromHours(1),
            ProvisioningLifetime = TimeSpan.FromDays(1),
        };
        var members = Validate(options).SelectMany(r => r.MemberNames).ToHashSet();
        Assert.Superset(new HashSet<string> { nameof(GatewayOptions.ConnectTimeout), nameof(GatewayOptions.ProvisioningIdleTimeout), nameof(GatewayOptions.ProvisioningLifetime) }, members);
    }

    private static List<ValidationResult> Validate(GatewayOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }
}
