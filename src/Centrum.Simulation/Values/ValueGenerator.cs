using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Centrum.Templates.Dtdl;

namespace Centrum.Simulation.Values;

/// <summary>
/// The values one simulated device sends, from its model's schemas: numbers walk at random within the range of their
/// semantic type and unit (<see cref="SemanticRanges"/>), drifting back towards the middle so a chart shows a live
/// signal rather than noise or a flat line; enums and booleans keep their value and change now and then; geopoints
/// drive along a <see cref="GeoPath"/>; objects, maps and arrays are filled field by field. Each value (named by its
/// key: component, capability and field) has its own random source seeded from the device's seed and the key, so a
/// device produces the same values on every start and in any order of calls.
/// </summary>
internal sealed class ValueGenerator(int seed, TimeProvider time)
{
    /// <summary>DTDL v2 allows complex schemas nested five levels; a model deeper than this is cut off with nulls.</summary>
    private const int MaxDepth = 8;

    /// <summary>How often (per value sent) an enum or a boolean changes: about once a minute at the default interval.</summary>
    private const double ChangeProbability = 0.08;

    /// <summary>How strongly a walk is pulled back to the middle of its range at each step.</summary>
    private const double Reversion = 0.05;

    /// <summary>Where geopoints start: around central Seattle (the public DTDL samples' own sample coordinates are there).</summary>
    private const double OriginLatitude = 47.61;
    private const double OriginLongitude = -122.34;
    private const double OriginSpread = 0.05;

    private static readonly string[] Words = ["normal", "idle", "active", "maintenance"];

    private readonly Dictionary<string, State> _states = new(StringComparer.Ordinal);

    /// <summary>A device's seed: stable across processes (unlike <see cref="string.GetHashCode()"/>), distinct per application and device.</summary>
    public static int Seed(string applicationId, string deviceId) =>
        BitConverter.ToInt32(SHA256.HashData(Encoding.UTF8.GetBytes(applicationId + "\n" + deviceId)), 0);

    /// <summary>Every telemetry value an Interface (the root or a component's) declares, as one message body.</summary>
    public JsonObject Telemetry(DtdlInterface scope, string keyPrefix)
    {
        var body = new JsonObject();
        foreach (var telemetry in scope.Telemetry)
        {
            body[telemetry.Name] = Next($"{keyPrefix}{telemetry.Name}", telemetry.Schema, telemetry.CoTypes, telemetry.Unit, telemetry.Name);
        }

        return body;
    }

    /// <summary>The next value of <paramref name="key"/> for <paramref name="schema"/>.</summary>
    public JsonNode? Next(string key, DtdlSchema schema, IReadOnlyList<string> coTypes, string? unit, string name) =>
        Next(key, schema, coTypes, unit, name, 0);

    private JsonNode? Next(string key, DtdlSchema schema, IReadOnlyList<string> coTypes, string? unit, string name, int depth)
    {
        if (depth > MaxDepth)
        {
            return null;
        }

        switch (schema)
        {
            case DtdlSchemaReference reference:
                return reference.Target is null ? null : Next(key, reference.Target, coTypes, unit, name, depth + 1);
            case DtdlEnumSchema enumeration when enumeration.Values.Count > 0:
                var chosen = Choice(key, enumeration.Values.Count);
                return enumeration.Values[chosen].Value.DeepClone();
            case DtdlObjectSchema obj:
                var result = new JsonObject();
                foreach (var (field, fieldSchema) in obj.Fields)
                {
                    result[field] = Next($"{key}.{field}", fieldSchema, [], null, field, depth + 1);
                }

                return result;
            case DtdlMapSchema map:
                return new JsonObject
                {
                    [$"{map.KeyName}1"] = Next($"{key}[1]", map.ValueSchema, [], null, map.ValueName, depth + 1),
                    [$"{map.KeyName}2"] = Next($"{key}[2]", map.ValueSchema, [], null, map.ValueName, depth + 1),
                };
            case DtdlArraySchema array:
                return new JsonArray(Enumerable.Range(0, 3).Select(i => Next($"{key}[{i}]", array.ElementSchema, coTypes, unit, name, depth + 1)).ToArray());
            case DtdlPrimitiveSchema primitive:
                return Primitive(key, primitive.Name, coTypes, unit, name);
            default:
                return null;
        }
    }

    private JsonNode? Primitive(string key, string schema, IReadOnlyList<string> coTypes, string? unit, string name)
    {
        var now = time.GetUtcNow();
        switch (schema)
        {
            case "double" or "float":
                return JsonValue.Create(Math.Round(Walk(key, SemanticRanges.For(coTypes, unit, name)), 2));
            case "integer":
                return JsonValue.Create((int)Math.Round(Walk(key, SemanticRanges.For(coTypes, unit, name))));
            case "long":
                return JsonValue.Create((long)Math.Round(Walk(key, SemanticRanges.For(coTypes, unit, name))));
            case "boolean":
                return JsonValue.Create(Choice(key, 2) == 1);
            case "string":
                return JsonValue.Create(Words[Choice(key, Words.Length)]);
            case "dateTime":
                return JsonValue.Create(now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
            case "date":
                return JsonValue.Create(now.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            case "time":
                return JsonValue.Create(now.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture));
            case "duration":
                return JsonValue.Create(System.Xml.XmlConvert.ToString(TimeSpan.FromSeconds(Math.Round(Walk(key, new SemanticRange(60, 3600))))));
            case "vector":
                var range = SemanticRanges.For(coTypes, unit, name) == SemanticRanges.Default ? new SemanticRange(-1, 1, 0.1) : SemanticRanges.For(coTypes, unit, name);
                return new JsonObject
                {
                    ["x"] = Math.Round(Walk(key + ".x", range), 3),
                    ["y"] = Math.Round(Walk(key + ".y", range), 3),
                    ["z"] = Math.Round(Walk(key + ".z", range), 3),
                };
            case "geopoint":
                var (latitude, longitude) = Position(key);
                return new JsonObject { ["lat"] = latitude, ["lon"] = longitude };
            default:
                return GeoJson(key, schema);
        }
    }

    /// <summary>DTDL's geospatial schemas as GeoJSON (RFC 7946): coordinates are longitude first.</summary>
    private JsonObject? GeoJson(string key, string schema)
    {
        JsonArray Point(string suffix)
        {
            var (latitude, longitude) = Position(key + suffix);
            return new JsonArray(longitude, latitude);
        }

        JsonArray Ring() => new(Point(".a"), Point(".b"), Point(".c"), Point(".a"));
        JsonNode? coordinates = schema switch
        {
            "point" => Point(""),
            "multiPoint" => new JsonArray(Point(".a"), Point(".b")),
            "lineString" => new JsonArray(Point(".a"), Point(".b")),
            "multiLineString" => new JsonArray(new JsonArray(Point(".a"), Point(".b"))),
            "polygon" => new JsonArray(Ring()),
            "multiPolygon" => new JsonArray(new JsonArray(Ring())),
            _ => null,
        };
        return coordinates is null ? null : new JsonObject { ["type"] = GeoJsonType(schema), ["coordinates"] = coordinates };
    }

    private static string GeoJsonType(string schema) => char.ToUpperInvariant(schema[0]) + schema[1..];

    private double Walk(string key, SemanticRange range)
    {
        var state = StateOf(key);
        if (state.Number is not { } value)
        {
            value = range.Min + range.Width * (0.3 + 0.4 * state.Random.NextDouble());
        }
        else
        {
            value += Gaussian(state.Random) * range.Width * range.Volatility + (range.Middle - value) * Reversion;
        }

        state.Number = Math.Clamp(value, range.Min, range.Max);
        return state.Number.Value;
    }

    private int Choice(string key, int count)
    {
        var state = StateOf(key);
        if (state.Choice is not { } current || (count > 1 && state.Random.NextDouble() < ChangeProbability))
        {
            current = state.Random.Next(count);
        }

        state.Choice = current;
        return current;
    }

    private (double Latitude, double Longitude) Position(string key)
    {
        var state = StateOf(key);
        var now = time.GetUtcNow();
        if (state.Path is null)
        {
            state.Path = new GeoPath(state.Random,
                OriginLatitude + (state.Random.NextDouble() - 0.5) * OriginSpread,
                OriginLongitude + (state.Random.NextDouble() - 0.5) * OriginSpread);
            state.LastMove = now;
            return (Math.Round(state.Path.Latitude, 6), Math.Round(state.Path.Longitude, 6));
        }

        var (latitude, longitude) = state.Path.Advance(state.Random, now - state.LastMove);
        state.LastMove = now;
        return (Math.Round(latitude, 6), Math.Round(longitude, 6));
    }

    private State StateOf(string key)
    {
        if (!_states.TryGetValue(key, out var state))
        {
            state = new State(new Random(HashCode(seed, key)));
            _states[key] = state;
        }

        return state;
    }

    /// <summary>FNV-1a over the key, mixed with the seed: stable across processes and platforms.</summary>
    private static int HashCode(int seed, string key)
    {
        var hash = 2166136261u ^ (uint)seed;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)hash;
    }

    /// <summary>A standard normal sample (Box–Muller).</summary>
    private static double Gaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    private sealed class State(Random random)
    {
        public Random Random { get; } = random;

        public double? Number { get; set; }

        public int? Choice { get; set; }

        public GeoPath? Path { get; set; }

        public DateTimeOffset LastMove { get; set; }
    }
}
