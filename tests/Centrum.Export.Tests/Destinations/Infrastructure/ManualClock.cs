namespace Centrum.Export.Tests.Destinations.Infrastructure;

/// <summary>A clock the test moves, so token expiry is tested without waiting for it.</summary>
internal sealed class ManualClock : TimeProvider
{
    private DateTimeOffset now = DateTimeOffset.UtcNow;

    public override DateTimeOffset GetUtcNow() => now;

    public void Advance(TimeSpan by) => now += by;
}
