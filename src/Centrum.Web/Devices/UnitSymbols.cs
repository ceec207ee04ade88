using System.Collections.Frozen;

namespace Centrum.Web.Devices;

/// <summary>
/// The symbols a device view shows after a value for the DTDL unit names a template declares (DTDL v2, "Semantic types"
/// and their unit enums: https://github.com/Azure/opendigitaltwins-dtdl/blob/master/DTDL/v2/DTDL.v2.md#semantic-types),
/// as IoT Central's tiles show "25 °C" rather than "25 degreeCelsius". A unit missing here is shown by its name.
/// </summary>
internal static class UnitSymbols
{
    private static readonly FrozenDictionary<string, string> Symbols = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        // TemperatureUnit
        ["degreeCelsius"] = "°C",
        ["degreeFahrenheit"] = "°F",
        ["kelvin"] = "K",

        // Unitless
        ["percent"] = "%",

        // PressureUnit
        ["pascal"] = "Pa",
        ["kilopascal"] = "kPa",
        ["bar"] = "bar",
        ["millibar"] = "mbar",
        ["millimetresOfMercury"] = "mmHg",
        ["inchesOfMercury"] = "inHg",
        ["poundPerSquareInch"] = "psi",

        // AngleUnit
        ["degreeOfArc"] = "°",
        ["radian"] = "rad",

        // VelocityUnit
        ["metrePerSecond"] = "m/s",
        ["kilometrePerHour"] = "km/h",
        ["milePerHour"] = "mph",
        ["knot"] = "kn",

        // LengthUnit
        ["metre"] = "m",
        ["centimetre"] = "cm",
        ["millimetre"] = "mm",
        ["kilometre"] = "km",
        ["foot"] = "ft",
        ["inch"] = "in",
        ["mile"] = "mi",

        // TimeUnit
        ["second"] = "s",
        ["millisecond"] = "ms",
        ["minute"] = "min",
        ["hour"] = "h",
        ["day"] = "d",

        // DataSizeUnit
        ["bit"] = "bit",
        ["byte"] = "B",
        ["kilobyte"] = "kB",
        ["megabyte"] = "MB",
        ["gigabyte"] = "GB",
        ["kibibyte"] = "KiB",
        ["mebibyte"] = "MiB",
        ["gibibyte"] = "GiB",

        // FrequencyUnit, PowerUnit, VoltageUnit, CurrentUnit, EnergyUnit
        ["hertz"] = "Hz",
        ["kilohertz"] = "kHz",
        ["megahertz"] = "MHz",
        ["watt"] = "W",
        ["milliwatt"] = "mW",
        ["kilowatt"] = "kW",
        ["megawatt"] = "MW",
        ["volt"] = "V",
        ["millivolt"] = "mV",
        ["kilovolt"] = "kV",
        ["ampere"] = "A",
        ["milliampere"] = "mA",
        ["joule"] = "J",
        ["kilojoule"] = "kJ",
        ["kilowattHour"] = "kWh",

        // IlluminanceUnit, VolumeUnit, MassUnit, AngularVelocityUnit, AccelerationUnit
        ["lux"] = "lx",
        ["litre"] = "L",
        ["millilitre"] = "mL",
        ["cubicMetre"] = "m³",
        ["gram"] = "g",
        ["kilogram"] = "kg",
        ["tonne"] = "t",
        ["revolutionPerMinute"] = "rpm",
        ["radianPerSecond"] = "rad/s",
        ["degreePerSecond"] = "°/s",
        ["metrePerSecondSquared"] = "m/s²",
        ["gForce"] = "g",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The symbol of <paramref name="unit"/>, the unit's own name when it has none here, or null for no unit.</summary>
    public static string? Of(string? unit) =>
        unit is null ? null : Symbols.GetValueOrDefault(unit, unit);
}
