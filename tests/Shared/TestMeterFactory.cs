using System.Diagnostics.Metrics;

namespace Centrum.Testing;

/// <summary>Meters for a component under test, disposed with the factory (what the host's meter factory does in the server).</summary>
internal sealed class TestMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options);
        _meters.Add(meter);
        return meter;
    }

    public void Dispose() => _meters.ForEach(m => m.Dispose());
}
