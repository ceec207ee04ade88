using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Centrum.MicroBench;

// In process and short: the hot paths take micro- to nanoseconds and the allocation figure is exact after one
// iteration, so three warm-ups and five measured iterations give a stable mean on a shared two-core machine in minutes
// instead of the default job's quarter of an hour per benchmark class.
var job = Job.Default
    .WithToolchain(InProcessEmitToolchain.Instance)
    .WithLaunchCount(1)
    .WithWarmupCount(3)
    .WithIterationCount(5)
    .WithId("Short");
var config = DefaultConfig.Instance.AddJob(job).AddDiagnoser(MemoryDiagnoser.Default);

var summaries = BenchmarkSwitcher.FromAssembly(typeof(AllocationBudgets).Assembly).Run(args, config).ToList();
var failures = new List<string>();
foreach (var report in summaries.SelectMany(s => s.Reports))
{
    var method = report.BenchmarkCase.Descriptor.WorkloadMethod;
    var name = $"{method.DeclaringType?.Name}.{method.Name}";
    var budget = AllocationBudgets.Budget(method);
    var allocated = report.Success ? report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) : null;
    if (allocated is null)
    {
        failures.Add($"{name}: did not run to the end, so its allocations are unknown");
    }
    else if (allocated > budget)
    {
        failures.Add($"{name}: {allocated} B allocated per operation, budget {budget} B");
    }
    else
    {
        Console.WriteLine($"budget ok  {name}: {allocated} B of {budget} B");
    }
}

if (summaries.Count == 0 || summaries.All(s => s.Reports.Length == 0))
{
    failures.Add("no benchmark ran (check --filter)");
}

foreach (var failure in failures)
{
    Console.Error.WriteLine($"OVER BUDGET {failure}");
}

return failures.Count == 0 ? 0 : 1;
