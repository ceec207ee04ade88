namespace Centrum.Export.Tests.Destinations.Infrastructure;

/// <summary>A clock the test moves, so token expiry is tested without waiting for it.</summary>
internal sealed class ManualClock : TimeProvider
{
    private DateTimeOffset _now = DateTimeOffset.UtcNow;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
