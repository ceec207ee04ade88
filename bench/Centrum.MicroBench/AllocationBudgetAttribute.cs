namespace Centrum.MicroBench;

/// <summary>
/// The most bytes one call of a benchmark may allocate. Set from a measurement with a small margin, so a change that
/// allocates more on a hot path fails <c>bench/micro.sh</c> and the test suite's allocation guard alike.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class AllocationBudgetAttribute(int bytes) : Attribute
{
    public int Bytes { get; } = bytes;
}
