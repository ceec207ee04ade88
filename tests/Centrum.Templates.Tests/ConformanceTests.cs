using System.Text.Json;
using Centrum.Templates.Dtdl;

namespace Centrum.Templates.Tests;

/// <summary>Values are interpreted through the schema their template declares.</summary>
public sealed class ConformanceTests
{
    private static readonly DtdlInterface Model = DtdlParser.Parse("""
        {
          "@context": ["dtmi:dtdl:context;2", "dtmi:iotcentral:context;2"],
          "@id": "dtmi:com:example:Everything;1",
          "@type": "Interface",
          "contents": [
            { "@type": ["Telemetry", "Temperature"], "name": "temperature", "schema": "double", "unit": "degreeCelsius" },
            { "@type": "Telemetry", "name": "count", "schema": "integer" },
            { "@type": "Telemetry", "name": "mode", "schema": { "@type": "Enum", "valueSchema": "string", "enumValues": [ { "name": "on", "enumValue": "on" }, { "name": "off", "enumValue": "off" } ] } },
            { "@type": "Telemetry", "name": "reading", "schema": { "@type": "Object", "fields": [ { "name": "value", "schema": "double" }, { "name": "at", "schema": "dateTime" } ] } },
            { "@type": "Telemetry", "name": "labels", "schema": { "@type": "Map", "mapKey": { "name": "k", "schema": "string" }, "mapValue": { "name": "v", "schema": "string" } } },
            { "@type": ["Telemetry", "Location"], "name": "position", "schema": "geopoint" },
            { "@type": ["Telemetry", "AccelerationVector"], "name": "acceleration", "schema": "vector" },
            { "@type": "Telemetry", "name": "history", "schema": { "@type": "Array", "elementSchema": "long" } },
            { "@type": "Telemetry", "name": "uptime", "schema": "duration" }
          ]
        }
        """).Interfaces.Single().Value;

    [Theory]
    [InlineData("temperature", "21.5", true)]
    [InlineData("temperature", "\"hot\"", false)]
    [InlineData("count", "3", true)]
    [InlineData("count", "3.5", false)]
    [InlineData("mode", "\"on\"", true)]
    [InlineData("mode", "\"sideways\"", false)]
    [InlineData("reading", """{"value":1.5,"at":"2026-01-01T00:00:00Z"}""", true)]
    [InlineData("reading", """{"value":"x"}""", false)]
    [InlineData("reading", """{"extra":1}""", false)]
    [InlineData("labels", """{"a":"b","c":"d"}""", true)]
    [InlineData("labels", """{"a":1}""", false)]
    [InlineData("position", """{"lat":47.6,"lon":-122.3,"alt":10}""", true)]
    [InlineData("position", """{"lat":47.6}""", false)]
    [InlineData("acceleration", """{"x":0.1,"y":0.2,"z":9.8}""", true)]
    [InlineData("history", "[1,2,3]", true)]
    [InlineData("history", "[1,\"2\"]", false)]
    [InlineData("uptime", "\"PT1H30M\"", true)]
    [InlineData("uptime", "\"an hour\"", false)]
    public void A_value_conforms_to_its_declared_schema_or_not(string telemetry, string json, bool conforms)
    {
        var declared = DeviceModels.Telemetry(Model, null, telemetry)!;
        Assert.Equal(conforms, DeviceModels.Conforms(declared.Schema, JsonDocument.Parse(json).RootElement));
    }

    [Fact]
    public void Undeclared_names_and_components_are_not_found()
    {
        Assert.Null(DeviceModels.Telemetry(Model, null, "fanSpeed"));
        Assert.Null(DeviceModels.Scope(Model, "thermostat1"));
    }
}
