namespace Centrum.Simulation.Values;

/// <summary>
/// Plausible ranges for numbers by DTDL semantic type and unit (DTDL v2 "Semantic types", v3 QuantitativeTypes
/// extension: the same type and unit names): a room's temperature, the air's pressure at sea level, a lithium cell's
/// voltage. A value with a unit but no known type is placed by its unit, and one with neither by its name (battery,
/// temperature, …), else in 0–100. The table is documented in the architecture notes ("Simulated devices").
/// </summary>
internal static class SemanticRanges
{
    /// <summary>The range when nothing of the value is known: wide enough to chart, narrow enough to read.</summary>
    public static SemanticRange Default { get; } = new(0, 100);

    /// <summary>(semantic type, unit) → range; a null unit is the type's range for any unit not listed.</summary>
    private static readonly Dictionary<(string Type, string? Unit), SemanticRange> ByType = new()
    {
        [("Temperature", "degreeCelsius")] = new(15, 35),
        [("Temperature", "degreeFahrenheit")] = new(59, 95),
        [("Temperature", "kelvin")] = new(288.15, 308.15),
        [("Temperature", null)] = new(15, 35),
        [("RelativeHumidity", null)] = new(0, 100),
        [("Humidity", null)] = new(5, 25),
        [("Pressure", "millibar")] = new(980, 1040, 0.01),
        [("Pressure", "hectopascal")] = new(980, 1040, 0.01),
        [("Pressure", "kilopascal")] = new(98, 104, 0.01),
        [("Pressure", "pascal")] = new(98_000, 104_000, 0.01),
        [("Pressure", "bar")] = new(0.98, 1.04, 0.01),
        [("Pressure", "poundPerSquareInch")] = new(14.2, 15.1, 0.01),
        [("Pressure", "millimetresOfMercury")] = new(735, 780, 0.01),
        [("Pressure", "inchesOfMercury")] = new(28.9, 30.7, 0.01),
        [("Pressure", null)] = new(980, 1040, 0.01),
        [("Voltage", "volt")] = new(3.0, 4.2),
        [("Voltage", "millivolt")] = new(3000, 4200),
        [("Voltage", "kilovolt")] = new(10, 11),
        [("Voltage", null)] = new(3.0, 4.2),
        [("Current", "ampere")] = new(0, 10),
        [("Current", "milliampere")] = new(0, 500),
        [("Current", null)] = new(0, 10),
        [("Power", "watt")] = new(0, 2000),
        [("Power", "kilowatt")] = new(0, 2),
        [("Power", "milliwatt")] = new(0, 500),
        [("Power", null)] = new(0, 2000),
        [("Energy", "kilowattHour")] = new(0, 50, 0.005),
        [("Energy", "wattHour")] = new(0, 50_000, 0.005),
        [("Energy", null)] = new(0, 50, 0.005),
        [("Frequency", "hertz")] = new(49.8, 50.2),
        [("Frequency", null)] = new(49.8, 50.2),
        [("Velocity", "kilometrePerHour")] = new(0, 60),
        [("Velocity", "metrePerSecond")] = new(0, 17),
        [("Velocity", "milePerHour")] = new(0, 40),
        [("Velocity", "knot")] = new(0, 30),
        [("Velocity", null)] = new(0, 17),
        [("Angle", "radian")] = new(0, 2 * Math.PI, 0.05),
        [("Angle", null)] = new(0, 360, 0.05),
        [("Latitude", null)] = new(47.60, 47.66, 0.01),
        [("Longitude", null)] = new(-122.36, -122.30, 0.01),
        [("Acceleration", "gForce")] = new(-1, 1, 0.1),
        [("Acceleration", null)] = new(-2, 2, 0.1),
        [("AngularVelocity", null)] = new(-1, 1, 0.1),
        [("MagneticInduction", null)] = new(-60, 60, 0.05),
        [("Illuminance", null)] = new(0, 1000),
        [("Luminance", null)] = new(0, 500),
        [("Distance", null)] = new(0, 100),
        [("Length", null)] = new(0, 100),
        [("DataSize", null)] = new(1024, 8192),
        [("DataRate", null)] = new(0, 1000),
        [("Mass", null)] = new(0, 100),
        [("Volume", null)] = new(0, 100),
        [("VolumeFlowRate", null)] = new(0, 50),
        [("Density", null)] = new(0.9, 1.1),
        [("SoundPressure", null)] = new(30, 90),
        [("Concentration", null)] = new(400, 1200),
        [("TimeSpan", null)] = new(0, 3600),
    };

    /// <summary>Units whose range is plain whatever the semantic type (or when there is none).</summary>
    private static readonly Dictionary<string, SemanticRange> ByUnit = new(StringComparer.Ordinal)
    {
        ["percent"] = new(0, 100),
        ["degreeCelsius"] = new(15, 35),
        ["degreeFahrenheit"] = new(59, 95),
        ["millibar"] = new(980, 1040, 0.01),
        ["hectopascal"] = new(980, 1040, 0.01),
        ["volt"] = new(3.0, 4.2),
        ["ampere"] = new(0, 10),
        ["watt"] = new(0, 2000),
        ["kilometrePerHour"] = new(0, 60),
        ["metrePerSecond"] = new(0, 17),
        ["degreeOfArc"] = new(0, 360, 0.05),
        ["lux"] = new(0, 1000),
        ["partsPerMillion"] = new(400, 1200),
        ["hertz"] = new(49.8, 50.2),
    };

    /// <summary>
    /// Ranges by a part of the name, for values declared without type or unit (object fields and command payloads
    /// cannot carry either in DTDL v2): <c>battery</c>, <c>batteryLevel</c>; <c>maxTemp</c>, <c>avgTemperature</c>.
    /// </summary>
    private static readonly (string Part, SemanticRange Range)[] ByName =
    [
        ("battery", new(20, 100, 0.005)),
        ("temp", new(15, 35)),
        ("humid", new(0, 100)),
        ("press", new(980, 1040, 0.01)),
        ("volt", new(3.0, 4.2)),
    ];

    public static SemanticRange For(IReadOnlyList<string> coTypes, string? unit, string name)
    {
        foreach (var type in coTypes)
        {
            if ((unit is not null && ByType.TryGetValue((type, unit), out var exact)) || ByType.TryGetValue((type, null), out exact))
            {
                return exact;
            }
        }

        if (unit is not null && ByUnit.TryGetValue(unit, out var byUnit))
        {
            return byUnit;
        }

        foreach (var (part, range) in ByName)
        {
            if (name.Contains(part, StringComparison.OrdinalIgnoreCase))
            {
                return range;
            }
        }

        return Default;
    }
}
