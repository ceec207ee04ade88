using System.Linq.Expressions;
using System.Reflection;
using BenchmarkDotNet.Attributes;

namespace Centrum.MicroBench.Tests;

/// <summary>
/// The hot paths' allocation budgets in every test run, without BenchmarkDotNet: each benchmark runs many times on
/// this thread and the bytes it allocated per call must stay within the budget declared beside it.
/// </summary>
public sealed class AllocationBudgetTests
{
    private const int WarmUp = 5_000;
    private const int Measured = 5_000;

    public static TheoryData<string> Benchmarks() => new(AllocationBudgets.All.Select(e => e.Name));

    [Theory]
    [MemberData(nameof(Benchmarks))]
    public void Hot_path_allocates_within_its_budget(string name)
    {
        var entry = AllocationBudgets.All.Single(e => e.Name == name);
        var call = Compile(entry);
        for (var i = 0; i < WarmUp; i++)
        {
            call();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Measured; i++)
        {
            call();
        }

        var perCall = (double)(GC.GetAllocatedBytesForCurrentThread() - before) / Measured;
        Assert.True(perCall <= entry.Bytes, $"{name} allocated {perCall:F1} B per call; its budget is {entry.Bytes} B");
    }

    [Fact]
    public void Every_benchmark_declares_a_budget_and_every_hot_path_has_benchmarks()
    {
        var benchmarks = typeof(AllocationBudgets).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods())
            .Where(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null)
            .ToList();
        Assert.All(benchmarks, m => Assert.NotNull(m.GetCustomAttribute<AllocationBudgetAttribute>()));
        Assert.Equal(benchmarks.Count, AllocationBudgets.All.Count);
        Assert.Equal(
            ["ExportMessageBenchmarks", "MqttDecodeBenchmarks", "MqttEncodeBenchmarks", "PropertyBagBenchmarks", "TelemetryAppendBenchmarks", "TopicBenchmarks"],
            AllocationBudgets.All.Select(e => e.Type.Name).Distinct().Order(StringComparer.Ordinal));
    }

    /// <summary>A call that drops the result: no reflection, no boxing of the return value inside the measurement.</summary>
    private static Action Compile(AllocationBudgets.Entry entry)
    {
        var instance = Activator.CreateInstance(entry.Type)!;
        var body = Expression.Call(Expression.Constant(instance, entry.Type), entry.Method);
        return Expression.Lambda<Action>(body).Compile();
    }
}
