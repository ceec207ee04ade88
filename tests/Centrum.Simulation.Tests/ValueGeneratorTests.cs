using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Simulation.Values;
using Centrum.Templates;
using Microsoft.Extensions.Time.Testing;

namespace Centrum.Simulation.Tests;

/// <summary>The values simulated devices send: in plausible ranges by semantic type and unit, declared enum values, smooth paths, reproducible per device.</summary>
public sealed class ValueGeneratorTests
{
    private const int Steps = 2_000;
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private static readonly string[] DeclaredModes = ["heat", "cool", "off"];
    private static readonly int[] DeclaredLevels = [1, 5];

    private readonly Templates.Dtdl.DtdlInterface _model = TestModels.Parse(TestModels.Everything);

    [Theory]
    [InlineData("temperature", 15, 35)]
    [InlineData("temperatureK", 288.15, 308.15)]
    [InlineData("humidity", 0, 100)]
    [InlineData("pressure", 980, 1040)]
    [InlineData("voltage", 3.0, 4.2)]
    [InlineData("batteryLevel", 20, 100)]
    public void Numbers_stay_within_the_range_of_their_semantic_type_and_unit_and_move_in_small_steps(string name, double min, double max)
    {
        var values = Series(Seed("dev-1"), name).Select(v => double.Parse(v!.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture)).ToList();

        Assert.All(values, v => Assert.InRange(v, min, max));
        // A live signal: it moves, in steps small against its range (a drift, not noise), and covers more than a sliver of it.
        Assert.True(values.Zip(values.Skip(1)).Count(p => p.First != p.Second) > Steps / 2, $"{name} barely moves");
        var steps = values.Zip(values.Skip(1), (a, b) => Math.Abs(b - a)).ToList();
        Assert.True(steps.Max() < (max - min) * 0.25, $"{name} jumps by {steps.Max()} in one step");
        Assert.True(values.Max() - values.Min() > (max - min) * 0.1, $"{name} stays within {values.Min()}..{values.Max()}");
    }

    [Fact]
    public void An_integer_schema_gets_integers_and_every_value_fits_its_declared_schema()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var generator = new ValueGenerator(Seed("dev-1"), time);
        for (var i = 0; i < 200; i++)
        {
            var body = generator.Telemetry(_model, "");
            foreach (var telemetry in _model.Telemetry)
            {
                using var document = JsonDocument.Parse(body[telemetry.Name]!.ToJsonString());
                Assert.True(DeviceModels.Conforms(telemetry.Schema, document.RootElement), $"{telemetry.Name}: {body[telemetry.Name]!.ToJsonString()}");
            }

            Assert.Equal(JsonValueKind.Number, body["humidity"]!.GetValueKind());
            Assert.DoesNotContain(".", body["humidity"]!.ToJsonString(), StringComparison.Ordinal);
            time.Advance(Interval);
        }
    }

    [Fact]
    public void Enums_send_only_declared_values_and_change_now_and_then()
    {
        var modes = Series(Seed("dev-1"), "mode").Select(v => v!.GetValue<string>()).ToList();
        var levels = Series(Seed("dev-1"), "level").Select(v => v!.GetValue<int>()).ToList();

        Assert.All(modes, m => Assert.Contains(m, DeclaredModes));
        Assert.All(levels, l => Assert.Contains(l, DeclaredLevels));
        Assert.Equal(3, modes.Distinct().Count());
        // Held for a while rather than redrawn each time: most consecutive values are the same.
        var changes = modes.Zip(modes.Skip(1)).Count(p => p.First != p.Second);
        Assert.InRange(changes, 10, Steps / 5);
    }

    [Fact]
    public void Booleans_take_both_values_and_hold_each_for_a_while()
    {
        var flags = Series(Seed("dev-1"), "open").Select(v => v!.GetValue<bool>()).ToList();

        Assert.Contains(true, flags);
        Assert.Contains(false, flags);
        Assert.InRange(flags.Zip(flags.Skip(1)).Count(p => p.First != p.Second), 10, Steps / 5);
    }

    [Fact]
    public void A_geopoint_moves_along_a_continuous_path_at_its_speed_and_stays_in_its_area()
    {
        var points = Series(Seed("truck-7"), "position").Select(v => (Lat: v!["lat"]!.GetValue<double>(), Lon: v["lon"]!.GetValue<double>())).ToList();

        var longestStep = GeoPath.SpeedMetresPerSecond * Interval.TotalSeconds;
        var steps = points.Zip(points.Skip(1), (a, b) => GeoPath.Distance(a.Lat, a.Lon, b.Lat, b.Lon)).ToList();
        // Every step is the distance driven in one interval (rounding to 6 decimals is ~0.1 m), never a jump.
        Assert.All(steps, d => Assert.InRange(d, longestStep - 0.5, longestStep + 0.5));
        var origin = points[0];
        Assert.All(points, p => Assert.True(GeoPath.Distance(origin.Lat, origin.Lon, p.Lat, p.Lon) < 2 * GeoPath.Radius + longestStep));
        // It turns: the path is not a straight line.
        Assert.True(GeoPath.Distance(origin.Lat, origin.Lon, points[^1].Lat, points[^1].Lon) < steps.Sum() / 2);
    }

    [Fact]
    public void A_geopoint_resumes_near_where_it_was_after_a_long_silence()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var generator = new ValueGenerator(Seed("truck-7"), time);
        var schema = TestModels.Telemetry(_model, "position");
        var before = generator.Next("position", schema.Schema, schema.CoTypes, schema.Unit, schema.Name)!;
        time.Advance(TimeSpan.FromHours(6));
        var after = generator.Next("position", schema.Schema, schema.CoTypes, schema.Unit, schema.Name)!;

        var moved = GeoPath.Distance(before["lat"]!.GetValue<double>(), before["lon"]!.GetValue<double>(), after["lat"]!.GetValue<double>(), after["lon"]!.GetValue<double>());
        Assert.InRange(moved, 0, GeoPath.SpeedMetresPerSecond * GeoPath.MaxStep.TotalSeconds + 1);
    }

    [Fact]
    public void Objects_are_filled_field_by_field_and_arrays_element_by_element()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-03-04T05:06:07Z", System.Globalization.CultureInfo.InvariantCulture));
        var body = new ValueGenerator(Seed("dev-1"), time).Telemetry(_model, "");

        var reading = body["reading"]!.AsObject();
        Assert.Equal(["count", "ok", "at"], reading.Select(p => p.Key));
        Assert.Equal(JsonValueKind.Number, reading["count"]!.GetValueKind());
        Assert.Equal("2026-03-04T05:06:07.000Z", reading["at"]!.GetValue<string>());
        Assert.Equal(3, body["samples"]!.AsArray().Count);
        Assert.Equal(["x", "y", "z"], body["accel"]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public void The_same_device_produces_the_same_values_on_every_start_whatever_the_order_of_calls()
    {
        var names = _model.Telemetry.Select(t => t.Name).ToList();
        var first = Run(Seed("dev-1"), names);
        var again = Run(Seed("dev-1"), names);
        var reversed = Run(Seed("dev-1"), Enumerable.Reverse(names).ToList());
        var other = Run(Seed("dev-2"), names);

        Assert.Equal(first, again);
        Assert.Equal(first.Order(StringComparer.Ordinal), reversed.Order(StringComparer.Ordinal));
        Assert.NotEqual(first, other);
        Assert.NotEqual(ValueGenerator.Seed("default", "dev-1"), ValueGenerator.Seed("other", "dev-1"));

        static List<string> Run(int seed, IReadOnlyList<string> names)
        {
            var model = TestModels.Parse(TestModels.Everything);
            var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
            var generator = new ValueGenerator(seed, time);
            var sent = new List<string>();
            for (var i = 0; i < 50; i++)
            {
                foreach (var name in names)
                {
                    var telemetry = TestModels.Telemetry(model, name);
                    sent.Add($"{i}:{name}={generator.Next(name, telemetry.Schema, telemetry.CoTypes, telemetry.Unit, name)!.ToJsonString()}");
                }

                time.Advance(Interval);
            }

            return sent;
        }
    }

    [Theory]
    [InlineData(new[] { "Temperature" }, "degreeFahrenheit", "t", 59, 95)]
    [InlineData(new[] { "Pressure" }, "kilopascal", "p", 98, 104)]
    [InlineData(new[] { "Velocity" }, "kilometrePerHour", "windspeed", 0, 60)]
    [InlineData(new string[0], "percent", "load", 0, 100)]
    [InlineData(new string[0], null, "batteryCharge", 20, 100)]
    [InlineData(new string[0], null, "maxTemp", 15, 35)]
    [InlineData(new string[0], null, "anything", 0, 100)]
    [InlineData(new[] { "Temperature" }, "unknownUnit", "t", 15, 35)]
    public void The_range_comes_from_the_semantic_type_and_unit_then_the_unit_then_the_name(string[] types, string? unit, string name, double min, double max)
    {
        var range = SemanticRanges.For(types, unit, name);

        Assert.Equal(min, range.Min, 6);
        Assert.Equal(max, range.Max, 6);
    }

    [Fact]
    public void A_simulated_device_id_is_named_after_its_template()
    {
        var model = TestModels.Parse(TestModels.Everything);
        var template = new DeviceTemplate("dtmi:com:example:everything;1", "dtmi:com:example:Thermo_Stat;1", null, null, [], new JsonObject(), "e", model);

        Assert.Equal("thermo_stat", SimulatedDevices.NamePrefix(template));
    }

    private List<JsonNode?> Series(int seed, string name)
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var generator = new ValueGenerator(seed, time);
        var telemetry = TestModels.Telemetry(_model, name);
        var values = new List<JsonNode?>(Steps);
        for (var i = 0; i < Steps; i++)
        {
            values.Add(generator.Next(name, telemetry.Schema, telemetry.CoTypes, telemetry.Unit, name));
            time.Advance(Interval);
        }

        return values;
    }

    private static int Seed(string deviceId) => ValueGenerator.Seed("default", deviceId);
}
