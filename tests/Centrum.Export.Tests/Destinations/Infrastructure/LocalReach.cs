using Centrum.Export.Destinations;

namespace Centrum.Export.Tests.Destinations.Infrastructure;

/// <summary>The receivers these tests start live on loopback, which destinations may reach only when allowed.</summary>
internal static class LocalReach
{
    public static DestinationReach Allowed { get; } = new(allowLocal: true, refusePrivate: false, management: null);
}
