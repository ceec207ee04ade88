using System.Text.Json;
using Centrum.Dashboards;
using Centrum.Telemetry.Query;
using Centrum.Web.Pages.Dashboards;

namespace Centrum.IntegrationTests.Web;

/// <summary>
/// A line-chart tile's statement, as <see cref="TileReader"/> builds it for every range and resolution IoT Central's
/// tile configuration offers, compiles to the plan over the telemetry rollups (a week of a thousand devices then reads
/// the summaries of its buckets, not its raw rows), both for the first read over the whole range and for a refresh from
/// the start of its newest bucket; and the resolution a tile reads at cuts its range into a bounded number of buckets.
/// </summary>
public sealed class LineChartQueryTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 1, 10, 17, 23, TimeSpan.Zero);

    private static readonly string[] Durations = ["PT30M", "PT1H", "PT12H", "P1D", "P1W", "P30D"];

    private static readonly string?[] Resolutions = [null, "PT1M", "PT5M", "PT10M", "PT30M", "PT1H", "PT12H", "P1D", "P1W"];

    [Fact]
    public void Every_range_and_resolution_of_a_line_chart_reads_the_rollups_in_a_bounded_number_of_buckets()
    {
        var options = new QueryOptions();
        var field = new QueryField(null, "temperature", 0);
        foreach (var duration in Durations)
        {
            foreach (var named in Resolutions)
            {
                var tile = LineChart(duration, named);
                var window = TileReader.Window(tile);
                var resolution = TileReader.Resolution(tile);
                Assert.True(window / resolution <= TileReader.MaxBuckets, $"{duration} by {named}: {window / resolution} buckets");
                var since = new DateTimeOffset(Now.UtcTicks - Now.UtcTicks % resolution.Ticks, TimeSpan.Zero);
                foreach (var range in new[] { new WindowCondition(window, null, null), new WindowCondition(null, since, Now.AddSeconds(1)) })
                {
                    var query = TileReader.BucketQuery("dtmi:t;1", field, range, resolution);
                    var compiled = new QueryService.Compiler(query, Now, options, rollups: true).Compile();
                    Assert.True(compiled.RollupSeconds is not null, $"{duration} by {named ?? "default"} ({range}) is not answered by the rollups: {compiled.Sql}");
                    Assert.Equal(resolution.Ticks % TimeSpan.TicksPerHour == 0 ? 3600 : 60, compiled.RollupSeconds);
                }
            }
        }
    }

    [Fact]
    public void A_tile_without_a_resolution_or_with_one_too_fine_for_its_range_reads_at_the_finest_that_keeps_the_buckets_bounded()
    {
        Assert.Equal(TimeSpan.FromMinutes(1), TileReader.Resolution(LineChart("PT30M", null)));
        Assert.Equal(TimeSpan.FromMinutes(5), TileReader.Resolution(LineChart("P1D", null)));
        Assert.Equal(TimeSpan.FromHours(1), TileReader.Resolution(LineChart("P1W", null)));
        Assert.Equal(TimeSpan.FromHours(12), TileReader.Resolution(LineChart("P30D", null)));
        Assert.Equal(TimeSpan.FromMinutes(30), TileReader.Resolution(LineChart("PT12H", "PT30M")));
        Assert.Equal(TimeSpan.FromHours(1), TileReader.Resolution(LineChart("P1W", "PT5M")));
        Assert.Equal(TimeSpan.FromDays(1), TileReader.Resolution(LineChart("P30D", "P1D")));
    }

    private static Tile LineChart(string duration, string? resolution)
    {
        var range = resolution is null
            ? $$"""{ "type": "time", "duration": "{{duration}}" }"""
            : $$"""{ "type": "time", "duration": "{{duration}}", "resolution": "{{resolution}}" }""";
        using var configuration = JsonDocument.Parse($$"""{ "type": "lineChart", "group": "g", "capabilities": [], "queryRange": {{range}} }""");
        return new Tile("t", "Line", 0, 0, 2, 2, configuration.RootElement.Clone());
    }
}
