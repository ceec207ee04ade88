namespace Centrum.Simulation.Values;

/// <summary>Where a simulated number moves: its plausible range, and the walk's usual step as a share of it.</summary>
/// <param name="Volatility">The standard deviation of one step, as a share of <c>Max - Min</c>.</param>
internal sealed record SemanticRange(double Min, double Max, double Volatility = 0.02)
{
    public double Middle => (Min + Max) / 2;

    public double Width => Max - Min;
}
