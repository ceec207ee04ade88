using Centrum.Templates.Dtdl;

namespace Centrum.Simulation.Tests;

/// <summary>Models parsed by the templates area's own parser, so the generator is tested on the schemas it will meet.</summary>
internal static class TestModels
{
    /// <summary>One of every kind of schema a template declares, with semantic types and units.</summary>
    public const string Everything = """
        {
          "@context": ["dtmi:iotcentral:context;2", "dtmi:dtdl:context;2"],
          "@id": "dtmi:com:example:everything;1",
          "@type": "Interface",
          "contents": [
            { "@type": ["Telemetry", "Temperature"], "name": "temperature", "schema": "double", "unit": "degreeCelsius" },
            { "@type": ["Telemetry", "Temperature"], "name": "temperatureK", "schema": "double", "unit": "kelvin" },
            { "@type": ["Telemetry", "RelativeHumidity"], "name": "humidity", "schema": "integer", "unit": "percent" },
            { "@type": ["Telemetry", "Pressure"], "name": "pressure", "schema": "float", "unit": "millibar" },
            { "@type": ["Telemetry", "Voltage"], "name": "voltage", "schema": "double", "unit": "volt" },
            { "@type": "Telemetry", "name": "batteryLevel", "schema": "double" },
            { "@type": "Telemetry", "name": "open", "schema": "boolean" },
            { "@type": "Telemetry", "name": "note", "schema": "string" },
            { "@type": ["Telemetry", "Location"], "name": "position", "schema": "geopoint" },
            { "@type": "Telemetry", "name": "accel", "schema": "vector" },
            { "@type": "Telemetry", "name": "mode", "schema": {
                "@type": "Enum", "valueSchema": "string",
                "enumValues": [ { "name": "heat", "enumValue": "heat" }, { "name": "cool", "enumValue": "cool" }, { "name": "off", "enumValue": "off" } ] } },
            { "@type": "Telemetry", "name": "level", "schema": {
                "@type": "Enum", "valueSchema": "integer",
                "enumValues": [ { "name": "low", "enumValue": 1 }, { "name": "high", "enumValue": 5 } ] } },
            { "@type": "Telemetry", "name": "reading", "schema": {
                "@type": "Object",
                "fields": [ { "name": "count", "schema": "integer" }, { "name": "ok", "schema": "boolean" }, { "name": "at", "schema": "dateTime" } ] } },
            { "@type": "Telemetry", "name": "samples", "schema": { "@type": "Array", "elementSchema": "double" } }
          ]
        }
        """;

    public static DtdlInterface Parse(string json)
    {
        var result = DtdlParser.Parse(json);
        Assert.True(result.IsValid, string.Join('\n', result.Errors));
        return result.Interfaces.Values.First(i => !i.Id.Contains("Schema", StringComparison.Ordinal));
    }

    public static DtdlTelemetry Telemetry(DtdlInterface model, string name) => model.Telemetry.Single(t => t.Name == name);
}
