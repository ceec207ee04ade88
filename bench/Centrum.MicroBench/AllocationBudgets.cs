using System.Reflection;
using BenchmarkDotNet.Attributes;

namespace Centrum.MicroBench;

/// <summary>The benchmarks of this assembly and their budgets: what the BenchmarkDotNet run and the test suite both check.</summary>
public static class AllocationBudgets
{
    public sealed record Entry(Type Type, MethodInfo Method, int Bytes)
    {
        public string Name => $"{Type.Name}.{Method.Name}";
    }

    public static IReadOnlyList<Entry> All { get; } = typeof(AllocationBudgets).Assembly.GetTypes()
        .Where(t => t.IsPublic && !t.IsAbstract)
        .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null)
            .Select(m => new Entry(t, m, Budget(m))))
        .OrderBy(e => e.Name, StringComparer.Ordinal)
        .ToList();

    /// <summary>A benchmark without a budget is a mistake in this project, not an unlimited one.</summary>
    public static int Budget(MethodInfo method) =>
        method.GetCustomAttribute<AllocationBudgetAttribute>()?.Bytes
        ?? throw new InvalidOperationException($"{method.DeclaringType?.Name}.{method.Name} declares no [AllocationBudget].");
}
