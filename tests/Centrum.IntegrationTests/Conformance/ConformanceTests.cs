using Xunit.Abstractions;

namespace Centrum.IntegrationTests.Conformance;

/// <summary>
/// IoT Central's own published examples, replayed against the real server: one test per example of a served operation
/// (status, top-level shape, value types), and a summary that lists the operations not served and prints the counts.
/// An example listed in known-differences.txt must fail (so the list only shrinks); any other must pass.
/// </summary>
public sealed class ConformanceTests(ConformanceReplay replay, ITestOutputHelper output) : IClassFixture<ConformanceReplay>
{
    public static TheoryData<string> ServedExamples()
    {
        var data = new TheoryData<string>();
        foreach (var example in PublishedExample.All.Where(ConformanceReplay.IsServed))
        {
            data.Add(example.Key);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ServedExamples))]
    public void Published_example_gets_the_documented_status_and_shape(string key)
    {
        var outcome = replay.Outcomes[key];
        foreach (var problem in outcome.Problems)
        {
            output.WriteLine(problem);
        }

        if (KnownDifferences.StillFailing.TryGetValue(key, out var reason) || KnownDifferences.DeliberateExamples.TryGetValue(key, out reason))
        {
            Assert.False(outcome.Passed, $"{key} passes now: remove it from known-differences.txt (listed as: {reason})");
        }
        else
        {
            Assert.True(outcome.Passed, $"{key}: {string.Join("; ", outcome.Problems)}");
        }
    }

    [Fact]
    public void Summary_lists_operations_not_served_and_prints_served_and_passed_counts()
    {
        var all = PublishedExample.All;
        var lines = new List<string>();
        foreach (var version in all.Select(e => e.Version).Distinct())
        {
            var examples = all.Where(e => e.Version == version).ToList();
            var served = examples.Where(ConformanceReplay.IsServed).ToList();
            var passed = served.Count(e => replay.Outcomes[e.Key].Passed);
            lines.Add($"IoT Central REST {version}: served {served.Count}/{examples.Count} examples, passed {passed}/{served.Count}");
            foreach (var operation in examples.Where(e => !ConformanceReplay.IsServed(e) && !ConformanceReplay.AwaitsModules(e)).Select(e => $"{e.Method} {e.PathTemplate} {e.OperationId}").Distinct())
            {
                lines.Add($"  not served: {operation}");
            }

            var modules = examples.Where(ConformanceReplay.AwaitsModules).ToList();
            lines.Add($"  not yet served (issue 16: IoT Edge modules): {modules.Count} examples");
            foreach (var operation in modules.Select(e => $"{e.Method} {e.PathTemplate} {e.OperationId}").Distinct())
            {
                lines.Add($"    {operation}");
            }
        }

        var servedAll = all.Where(ConformanceReplay.IsServed).ToList();
        lines.Add($"Conformance total: served {servedAll.Count}/{all.Count}, passed {servedAll.Count(e => replay.Outcomes[e.Key].Passed)}/{servedAll.Count}");
        lines.Add("Substitutions of published values:");
        lines.AddRange(ConformanceReplay.Substitutions.Select(s => "  " + s));
        foreach (var outcome in replay.Outcomes.Values.Where(o => !o.Passed))
        {
            lines.Add($"  failing {outcome.Example.Key}: {string.Join("; ", outcome.Problems)}");
        }

        foreach (var line in lines)
        {
            output.WriteLine(line);
            Console.WriteLine(line);
        }

        // Every listed example exists: a renamed or mistyped key would otherwise hide nothing and mean nothing.
        var keys = all.Select(e => e.Key).ToHashSet(StringComparer.Ordinal);
        var unknown = KnownDifferences.StillFailing.Keys.Concat(KnownDifferences.DeliberateExamples.Keys).Where(k => !keys.Contains(k)).ToList();
        Assert.True(unknown.Count == 0, "known-differences.txt names examples that do not exist: " + string.Join(", ", unknown));
        // An example not replayed cannot fail, so listing it would hide nothing: only served examples may be listed.
        var notReplayed = KnownDifferences.StillFailing.Keys.Concat(KnownDifferences.DeliberateExamples.Keys).Where(k => !replay.Outcomes.ContainsKey(k)).ToList();
        Assert.True(notReplayed.Count == 0, "known-differences.txt lists examples the suite does not replay: " + string.Join(", ", notReplayed));
        Assert.Equal(servedAll.Count, replay.Outcomes.Count);
    }
}
