using System.Text.Json.Nodes;
using Centrum.Export.Filters;

namespace Centrum.Export.Tests.Filters;

/// <summary>
/// Export messages as IoT Central shapes them before enrichment, from two templates' devices and one device without a
/// template, each paired with its device's facts.
/// </summary>
internal static class FilterSamples
{
    public const string Thermostat = "dtmi:contoso:Thermostat;1";
    public const string Sensor = "dtmi:contoso:Sensor;2";

    private const string ThermostatDevice = """
        {"$id":"thermostat-01","$displayName":"Lobby thermostat","$template":"dtmi:contoso:Thermostat;1",
         "$enabled":true,"$provisioned":true,"$simulated":false,"$organizations":["plant-a","plant-b"],
         "properties":{"serialNumber":"TH-0042","targetTemperature":22,"firmware":{"version":"2.1.0"},
                       "thermostat1":{"targetTemperature":20,"maxTempSinceLastReboot":31.5},
                       "thermostat2":{"targetTemperature":25}}}
        """;

    private const string SensorDevice = """
        {"$id":"sensor-07","$displayName":"Cold room sensor","$template":"dtmi:contoso:Sensor;2",
         "$enabled":false,"$provisioned":true,"$simulated":true,"$organizations":[],
         "properties":{"serialNumber":"SE-0007","location":{"lat":47.64,"lon":-122.13}}}
        """;

    private const string UnassignedDevice = """
        {"$id":"new-device","$displayName":"new-device","$template":null,
         "$enabled":true,"$provisioned":false,"$simulated":false,"$organizations":[],"properties":{}}
        """;

    private static readonly Dictionary<string, (string Message, string Device)> Samples = new()
    {
        ["thermostat telemetry"] = ("""
            {"messageSource":"telemetry","deviceId":"thermostat-01","templateId":"dtmi:contoso:Thermostat;1",
             "component":null,"module":null,"enqueuedTime":"2024-05-01T10:00:00.000Z",
             "telemetry":{"temperature":21.5,"humidity":40,"status":"heating","fanOn":true,"errorCode":null,
                          "acceleration":{"x":0.1,"y":-0.2,"z":9.8}}}
            """, ThermostatDevice),
        ["thermostat1 telemetry"] = ("""
            {"messageSource":"telemetry","deviceId":"thermostat-01","templateId":"dtmi:contoso:Thermostat;1",
             "component":"thermostat1","module":null,"enqueuedTime":"2024-05-01T10:00:05.000Z",
             "telemetry":{"temperature":19.0}}
            """, ThermostatDevice),
        ["thermostat property change"] = ("""
            {"messageSource":"properties","messageType":"devicePropertyReportedChange","deviceId":"thermostat-01",
             "templateId":"dtmi:contoso:Thermostat;1","enqueuedTime":"2024-05-01T10:01:00.000Z",
             "properties":[{"name":"targetTemperature","value":18,"component":"thermostat1"},
                           {"name":"firmwareVersion","value":"2.2.0"}]}
            """, ThermostatDevice),
        ["thermostat lifecycle"] = ("""
            {"messageSource":"deviceLifecycle","messageType":"registered","deviceId":"thermostat-01",
             "templateId":"dtmi:contoso:Thermostat;1","enqueuedTime":"2024-05-01T09:00:00.000Z"}
            """, ThermostatDevice),
        ["sensor telemetry"] = ("""
            {"messageSource":"telemetry","deviceId":"sensor-07","templateId":"dtmi:contoso:Sensor;2",
             "component":null,"module":null,"enqueuedTime":"2024-05-01T10:00:00.000Z",
             "telemetry":{"temperature":-4.5,"humidity":80}}
            """, SensorDevice),
        ["sensor connectivity"] = ("""
            {"messageSource":"deviceConnectivity","messageType":"connected","deviceId":"sensor-07",
             "templateId":"dtmi:contoso:Sensor;2","enqueuedTime":"2024-05-01T08:00:00.000Z"}
            """, SensorDevice),
        ["unassigned telemetry"] = ("""
            {"messageSource":"telemetry","deviceId":"new-device","templateId":null,"component":null,"module":null,
             "enqueuedTime":"2024-05-01T10:00:00.000Z","telemetry":{"temperature":30}}
            """, UnassignedDevice),
    };

    public static IEnumerable<string> Names => Samples.Keys;

    public static FilterSubject Get(string name)
    {
        var (message, device) = Samples[name];
        return Subject(message, device);
    }

    public static FilterSubject Subject(string message, string device) =>
        new(JsonNode.Parse(message)!.AsObject(), JsonNode.Parse(device)!.AsObject());
}
