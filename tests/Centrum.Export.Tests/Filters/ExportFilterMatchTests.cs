using System.Text.Json.Nodes;
using Centrum.Export.Filters;

namespace Centrum.Export.Tests.Filters;

/// <summary>Filters evaluated against realistic export messages: filter, sample message (see <see cref="FilterSamples"/>), expected outcome.</summary>
public sealed class ExportFilterMatchTests
{
    private const string FromThermostat = "SELECT * FROM dtmi:contoso:Thermostat;1";
    private const string FromSensor = "SELECT * FROM dtmi:contoso:Sensor;2";
    private const string FromBoth = "SELECT * FROM dtmi:contoso:Thermostat;1 AS T, dtmi:contoso:Sensor;2 AS S";
    private const string FromDevices = "SELECT * FROM devices";

    public static TheoryData<string, string, bool> FromCorpus() => new()
    {
        { FromThermostat, "thermostat telemetry", true },
        { FromThermostat, "thermostat lifecycle", true },
        { FromThermostat, "sensor telemetry", false },
        { FromThermostat, "unassigned telemetry", false },
        { "SELECT * FROM dtmi:contoso:thermostat;1", "thermostat telemetry", false },
        { "SELECT * FROM dtmi:contoso:Thermostat;1, dtmi:contoso:Sensor;2", "sensor connectivity", true },
        { "SELECT * FROM dtmi:contoso:Thermostat;1, dtmi:contoso:Sensor;2", "unassigned telemetry", false },
        { FromDevices, "unassigned telemetry", true },
        { "select * from DEVICES", "sensor connectivity", true },
    };

    public static TheoryData<string, string, bool> TelemetryCorpus() => new()
    {
        { $"{FromThermostat} WHERE temperature > 20", "thermostat telemetry", true },
        { $"{FromThermostat} WHERE temperature > 21.5", "thermostat telemetry", false },
        { $"{FromThermostat} WHERE temperature >= 21.5", "thermostat telemetry", true },
        { $"{FromThermostat} WHERE temperature < 22", "thermostat telemetry", true },
        { $"{FromThermostat} WHERE temperature <= 21.4", "thermostat telemetry", false },
        { $"{FromThermostat} WHERE temperature = 21.5", "thermostat telemetry", true },
        { $"{FromThermostat} WHERE temperature == 21.50", "thermostat telemetry", true },
        { $"{FromThermostat} WHERE temperature != 21.5", "thermostat telemetry", false },
        { $"{FromThermostat} WHERE temperature <> 20", "thermostat telemetry", true },
        { $"{FromThermostat} WHERE 20 < temperature", "thermostat telemetry", true },
        { $"{FromThermostat} WHERE temperature > 2.15e1", "thermostat telemetry", false },
        { $"{FromThermostat} WHERE temperature > 2.1E+1", "thermostat telemetry", true },
        { $"{FromThermostat} WHERE humidity = 40", "thermostat telemetry", true },
        { $"{FromThermostat} WHERE humidity < temperature", "thermostat telemetry", false },
        { $"{FromThermostat} WHERE temperature < humidity", "thermostat telemetry", true },
        { $"{FromSensor} WHERE temperature > -5", "sensor telemetry", true },
        { $"{FromSensor} WHERE temperature < -4", "sensor telemetry", true },
        { $"{FromSensor} WHERE temperature > 20", "sensor telemetry", false },
        { $"{FromThermostat} WHERE temperature > 20", "sensor telemetry", false },

        // Strings are ordinal and case-sensitive; both quote styles work.
        { $"{FromThermostat} WHERE status = 'heating'", "thermostat telemetry", true },
        { $"{FromThermostat} WHERE status = \"heating\"", "thermostat telemetry", true },
        { $"{FromThermostat} WHERE status = 'Heating'", "thermostat telemetry", false },
        { $"{FromThermostat} WHERE status > 'alpha'", "thermostat telemetry", true },
        { $"{FromThermostat} WHERE status < 'Zulu'", "thermostat telemetry", false },

        // Booleans and null compare by equality only.
        { $"{FromThermostat} WHERE fanOn = true", "thermostat telemetry", true },
        { $"{FromThermostat} WHERE fanOn = TRUE", "thermostat telemetry", true },
        { $"{FromThermostat} WHERE fanOn != false", "thermostat telemetry", true },
        { $"{FromThermostat} WHERE fanOn > false", "thermostat telemetry", false },
        { $"{FromThermostat} WHERE errorCode = null", "thermostat telemetry", true },
        { $"{FromThermostat} WHERE errorCode != null", "thermostat telemetry", false },
        { $"{FromThermostat} WHERE errorCode >= null", "thermostat telemetry", false },

        // Different kinds are unequal and unordered.
        { $"{FromThermostat} WHERE humidity = '40'", "thermostat telemetry", false },
        { $"{FromThermostat} WHERE humidity != '40'", "thermostat telemetry", true },
        { $"{FromThermostat} WHERE humidity < '50'", "thermostat telemetry", false },
        { $"{FromThermostat} WHERE fanOn = 1", "thermostat telemetry", false },
        { $"{FromThermostat} WHERE acceleration = null", "thermostat telemetry", false },
        { $"{FromThermostat} WHERE acceleration != 1", "thermostat telemetry", true },

        // A path into an object value.
        { $"{FromThermostat} WHERE acceleration.z > 9", "thermostat telemetry", true },
        { $"{FromThermostat} WHERE acceleration.y < -0.1", "thermostat telemetry", true },
        { $"{FromThermostat} WHERE acceleration.w > 0", "thermostat telemetry", false },

        // A field the message and the device lack is undefined: every predicate on it is false, NOT negates that.
        { $"{FromThermostat} WHERE pressure > 0", "thermostat telemetry", false },
        { $"{FromThermostat} WHERE pressure != 0", "thermostat telemetry", false },
        { $"{FromThermostat} WHERE pressure = null", "thermostat telemetry", false },
        { $"{FromThermostat} WHERE pressure IN [0, 1]", "thermostat telemetry", false },
        { $"{FromThermostat} WHERE NOT pressure > 0", "thermostat telemetry", true },
        { $"{FromThermostat} WHERE NOT (pressure = 0)", "thermostat telemetry", true },
        { $"{FromThermostat} WHERE temperature > 20", "thermostat lifecycle", false },
        { $"{FromThermostat} WHERE NOT temperature > 20", "thermostat lifecycle", true },

        // IN with either bracket, by the same equality.
        { $"{FromThermostat} WHERE humidity IN [10, 40, 80]", "thermostat telemetry", true },
        { $"{FromThermostat} WHERE humidity IN (10, 20)", "thermostat telemetry", false },
        { $"{FromThermostat} WHERE humidity IN ['40']", "thermostat telemetry", false },
        { $"{FromThermostat} WHERE status in ('idle', 'heating')", "thermostat telemetry", true },
        { $"{FromThermostat} WHERE errorCode IN [null]", "thermostat telemetry", true },
    };

    public static TheoryData<string, string, bool> ComponentAndPropertyCorpus() => new()
    {
        // Component telemetry is addressed through its component, never as a root capability.
        { $"{FromThermostat} WHERE thermostat1.temperature < 20", "thermostat1 telemetry", true },
        { $"{FromThermostat} WHERE thermostat1.temperature = 19", "thermostat1 telemetry", true },
        { $"{FromThermostat} WHERE thermostat2.temperature < 100", "thermostat1 telemetry", false },
        { $"{FromThermostat} WHERE temperature = 19", "thermostat1 telemetry", false },
        { $"{FromThermostat} WHERE thermostat1.temperature > 0", "thermostat telemetry", false },

        // Component properties: the property message's value wins over the device's facts.
        { $"{FromThermostat} WHERE thermostat1.targetTemperature = 20", "thermostat1 telemetry", true },
        { $"{FromThermostat} WHERE thermostat1.targetTemperature = 18", "thermostat property change", true },
        { $"{FromThermostat} WHERE thermostat1.targetTemperature = 20", "thermostat property change", false },
        { $"{FromThermostat} WHERE thermostat2.targetTemperature = 25", "thermostat property change", true },
        { $"{FromThermostat} WHERE thermostat1.maxTempSinceLastReboot > 30", "thermostat lifecycle", true },

        // Root properties: a component's property of the same name is not a root property.
        { $"{FromThermostat} WHERE targetTemperature = 22", "thermostat property change", true },
        { $"{FromThermostat} WHERE targetTemperature = 18", "thermostat property change", false },
        { $"{FromThermostat} WHERE firmwareVersion = '2.2.0'", "thermostat property change", true },
        { $"{FromThermostat} WHERE firmwareVersion = '2.2.0'", "thermostat lifecycle", false },
        { $"{FromThermostat} WHERE serialNumber = 'TH-0042'", "thermostat lifecycle", true },
        { $"{FromThermostat} WHERE serialNumber = 'TH-0042'", "thermostat telemetry", true },
        { $"{FromThermostat} WHERE firmware.version = '2.1.0'", "thermostat lifecycle", true },
        { $"{FromSensor} WHERE location.lat > 47 AND location.lon < -122", "sensor connectivity", true },
        { $"{FromDevices} WHERE STARTS_WITH(serialNumber, 'SE-')", "sensor connectivity", true },
        { $"{FromDevices} WHERE STARTS_WITH(serialNumber, 'SE-')", "thermostat lifecycle", false },
    };

    public static TheoryData<string, string, bool> DeviceCorpus() => new()
    {
        { $"{FromDevices} WHERE $displayName != \"abc\" AND $id = \"thermostat-01\"", "thermostat lifecycle", true },
        { $"{FromDevices} WHERE $displayName != \"abc\" AND $id = \"thermostat-01\"", "sensor connectivity", false },
        { $"{FromDevices} WHERE $id == \"sensor-07\"", "sensor connectivity", true },
        { $"{FromDevices} WHERE CONTAINS($displayName, 'thermostat')", "thermostat lifecycle", true },
        { $"{FromDevices} WHERE CONTAINS($displayName, 'Thermostat')", "thermostat lifecycle", false },
        { $"{FromDevices} WHERE contains($displayName, 'room')", "sensor connectivity", true },
        { $"{FromDevices} WHERE STARTS_WITH($displayName, 'Lobby')", "thermostat telemetry", true },
        { $"{FromDevices} WHERE Starts_With($displayName, 'lobby')", "thermostat telemetry", false },
        { $"{FromDevices} WHERE STARTS_WITH($displayName, 'Lobby thermostat and more')", "thermostat telemetry", false },
        { $"{FromDevices} WHERE CONTAINS(humidity, '4')", "thermostat telemetry", false },
        { $"{FromDevices} WHERE CONTAINS(pressure, '')", "thermostat telemetry", false },
        { $"{FromDevices} WHERE $enabled = false", "sensor connectivity", true },
        { $"{FromDevices} WHERE $enabled = false", "thermostat lifecycle", false },
        { $"{FromDevices} WHERE $simulated = true AND $provisioned = true", "sensor telemetry", true },
        { $"{FromDevices} WHERE $provisioned = false", "unassigned telemetry", true },
        { $"{FromDevices} WHERE $template = 'dtmi:contoso:Sensor;2'", "sensor telemetry", true },
        { $"{FromDevices} WHERE $templateId = 'dtmi:contoso:Sensor;2'", "sensor telemetry", true },
        { $"{FromDevices} WHERE $template = null", "unassigned telemetry", true },
        { $"{FromDevices} WHERE $template != null", "unassigned telemetry", false },
        { $"{FromDevices} WHERE $template != null", "thermostat telemetry", true },
        { $"{FromDevices} WHERE CONTAINS($organizations, 'plant-b')", "thermostat lifecycle", true },
        { $"{FromDevices} WHERE CONTAINS($organizations, 'plant')", "thermostat lifecycle", false },
        { $"{FromDevices} WHERE STARTS_WITH($organizations, 'plant')", "thermostat lifecycle", false },
        { $"{FromDevices} WHERE $id IN ['sensor-07', 'thermostat-01']", "thermostat lifecycle", true },
        { $"{FromDevices} WHERE $id IN ('sensor-07')", "thermostat lifecycle", false },
        { $"{FromDevices} WHERE $unknownFact = 1", "thermostat lifecycle", false },
        { $"{FromDevices} WHERE NOT $unknownFact = 1", "thermostat lifecycle", true },
        { $"{FromDevices} WHERE temperature > 25", "unassigned telemetry", true },
        { $"{FromThermostat} WHERE $id = 'thermostat-01' AND temperature > 21", "thermostat telemetry", true },
        { "SELECT*FROM devices WHERE$id='sensor-07'", "sensor telemetry", true },
        { "SELECT *\n  FROM devices\n  WHERE $id = 'sensor-07'\n    AND humidity >= 80", "sensor telemetry", true },
    };

    public static TheoryData<string, string, bool> PrecedenceCorpus() => new()
    {
        // a OR b AND c with a true, b and c false: OR binds looser, so this is a OR (b AND c).
        { $"{FromDevices} WHERE $id = 'thermostat-01' OR $id = 'x' AND $enabled = false", "thermostat lifecycle", true },
        { $"{FromDevices} WHERE ($id = 'thermostat-01' OR $id = 'x') AND $enabled = false", "thermostat lifecycle", false },

        // a AND b OR c with a false, c true: (a AND b) OR c.
        { $"{FromDevices} WHERE $id = 'x' AND $enabled = true OR $simulated = false", "thermostat lifecycle", true },
        { $"{FromDevices} WHERE $id = 'x' AND ($enabled = true OR $simulated = false)", "thermostat lifecycle", false },

        // NOT binds tighter than AND: (NOT a) AND b, with a true and b false.
        { $"{FromDevices} WHERE NOT $enabled = true AND $id = 'x'", "thermostat lifecycle", false },
        { $"{FromDevices} WHERE NOT ($enabled = true AND $id = 'x')", "thermostat lifecycle", true },
        { $"{FromDevices} WHERE NOT NOT $enabled = true", "thermostat lifecycle", true },
        { $"{FromDevices} WHERE not $id = 'x' and not $id = 'y' or $id = 'z'", "thermostat lifecycle", true },
        { $"{FromDevices} WHERE (((($id = 'thermostat-01'))))", "thermostat lifecycle", true },
    };

    public static TheoryData<string, string, bool> AliasCorpus() => new()
    {
        { $"{FromBoth} WHERE T.temperature > 20 OR S.temperature < 0", "thermostat telemetry", true },
        { $"{FromBoth} WHERE T.temperature > 20 OR S.temperature < 0", "sensor telemetry", true },
        { $"{FromBoth} WHERE T.temperature > 20 OR S.temperature < 0", "unassigned telemetry", false },
        { $"{FromBoth} WHERE T.temperature < 0", "sensor telemetry", false },
        { $"{FromBoth} WHERE S.humidity > 50", "sensor telemetry", true },
        { $"{FromBoth} WHERE S.humidity > 30", "thermostat telemetry", false },
        { $"{FromBoth} WHERE humidity > 30", "thermostat telemetry", true },
        { $"{FromBoth} WHERE T.thermostat1.temperature < 20", "thermostat1 telemetry", true },
        { $"{FromBoth} WHERE S.thermostat1.temperature < 20", "thermostat1 telemetry", false },
        { $"{FromBoth} WHERE T.thermostat1.targetTemperature = 20", "thermostat lifecycle", true },
        { $"{FromBoth} WHERE T.acceleration.z > 9", "thermostat telemetry", true },
        { $"{FromBoth} WHERE T.temperature < targetTemperature", "thermostat telemetry", true },
        { $"{FromBoth} WHERE T.temperature > targetTemperature", "thermostat telemetry", false },

        // An alias's predicate is undefined for the other template's devices, so NOT of it holds for them.
        { $"{FromBoth} WHERE NOT T.temperature > 20", "sensor telemetry", true },
        { $"{FromBoth} WHERE T.temperature > 20 OR S.humidity < 50", "sensor telemetry", false },

        // An alias shadows a component of the same name.
        { "SELECT * FROM dtmi:contoso:Thermostat;1 AS thermostat1 WHERE thermostat1.temperature = 21.5", "thermostat telemetry", true },
        { "SELECT * FROM dtmi:contoso:Thermostat;1 AS thermostat1 WHERE thermostat1.temperature = 19", "thermostat1 telemetry", false },

        // A lone alias is a field name, not an alias.
        { "SELECT * FROM dtmi:contoso:Thermostat;1 AS status WHERE status = 'heating'", "thermostat telemetry", true },
    };

    [Theory]
    [MemberData(nameof(FromCorpus))]
    [MemberData(nameof(TelemetryCorpus))]
    [MemberData(nameof(ComponentAndPropertyCorpus))]
    [MemberData(nameof(DeviceCorpus))]
    [MemberData(nameof(PrecedenceCorpus))]
    [MemberData(nameof(AliasCorpus))]
    public void Filter_matches_the_messages_it_describes(string filter, string sample, bool expected)
    {
        Assert.Equal(expected, ExportFilter.Parse(filter).Matches(FilterSamples.Get(sample)));
    }

    [Fact]
    public void Doubled_quotes_in_a_string_stand_for_one_quote()
    {
        var subject = FilterSamples.Subject(
            """{"messageSource":"deviceLifecycle","messageType":"registered","deviceId":"d1"}""",
            """{"$id":"d1","$displayName":"O'Brien's \"lab\"","$template":null}""");

        Assert.True(ExportFilter.Parse("SELECT * FROM devices WHERE $displayName = 'O''Brien''s \"lab\"'").Matches(subject));
        Assert.True(ExportFilter.Parse("SELECT * FROM devices WHERE $displayName = \"O'Brien's \"\"lab\"\"\"").Matches(subject));
        Assert.False(ExportFilter.Parse("SELECT * FROM devices WHERE $displayName = 'O''Brien'").Matches(subject));
    }

    [Fact]
    public void Device_facts_without_an_id_or_template_fall_back_to_the_message()
    {
        var subject = FilterSamples.Subject(
            """{"messageSource":"telemetry","deviceId":"d9","templateId":"dtmi:x:y;1","component":null,"telemetry":{"t":1}}""",
            """{"$displayName":"no facts"}""");

        Assert.True(ExportFilter.Parse("SELECT * FROM devices WHERE $id = 'd9'").Matches(subject));
        Assert.True(ExportFilter.Parse("SELECT * FROM dtmi:x:y;1 WHERE $template = 'dtmi:x:y;1'").Matches(subject));
        Assert.True(ExportFilter.Parse("SELECT * FROM dtmi:x:y;1 AS X WHERE X.t = 1").Matches(subject));
    }

    [Fact]
    public void Values_built_in_code_compare_like_parsed_ones()
    {
        var subject = new FilterSubject(
            new JsonObject
            {
                ["messageSource"] = "telemetry",
                ["deviceId"] = "d1",
                ["component"] = null,
                ["telemetry"] = new JsonObject { ["count"] = 7, ["ratio"] = 0.25m, ["big"] = 5_000_000_000L, ["label"] = "x" },
            },
            new JsonObject { ["$id"] = "d1", ["$template"] = "t-1" });
        var filter = ExportFilter.Parse("SELECT * FROM t-1 WHERE count = 7 AND ratio < 0.3 AND big > 4e9 AND label = 'x'");

        Assert.True(filter.Matches(subject));
    }

    [Fact]
    public void Non_DTMI_template_ids_match_the_device_template()
    {
        var subject = FilterSamples.Subject(
            """{"messageSource":"deviceConnectivity","messageType":"connected","deviceId":"d1"}""",
            """{"$id":"d1","$template":"6f0b0c5d-2bc7-4c3b-9b1e-3f3a3c1d2e4f"}""");

        Assert.True(ExportFilter.Parse("SELECT * FROM thermostat-v2.1, 6f0b0c5d-2bc7-4c3b-9b1e-3f3a3c1d2e4f").Matches(subject));
        Assert.False(ExportFilter.Parse("SELECT * FROM thermostat-v2.1").Matches(subject));
    }

    public static TheoryData<string, string> MalformedSubjects() => new()
    {
        { """{"deviceId":"d1","telemetry":[1,2,3],"component":7}""", """{"$id":"d1","properties":"none"}""" },
        { """{"deviceId":"d1","properties":{"name":"temperature"},"component":{"a":1}}""", """{"$id":5,"$template":["x"],"properties":[1]}""" },
        { """{"deviceId":"d1","properties":[1,null,"x",{"name":5},{"name":"temperature"}]}""", """{"properties":{"thermostat1":"flat"}}""" },
        { """{"telemetry":{"temperature":1e400}}""", """{"$template":"dtmi:contoso:Thermostat;1"}""" },
        { """{}""", """{}""" },
    };

    [Theory]
    [MemberData(nameof(MalformedSubjects))]
    public void A_message_of_the_wrong_shape_does_not_match_and_does_not_throw(string message, string device)
    {
        var subject = FilterSamples.Subject(message, device);
        var filters = new[]
        {
            $"{FromDevices} WHERE temperature > 0 OR thermostat1.temperature > 0 OR $id = 'x' OR CONTAINS($template, 'zz')",
            $"{FromThermostat} AS T WHERE T.thermostat1.targetTemperature = 1 OR temperature.x = 1 OR $organizations IN [1]",
        };

        foreach (var filter in filters)
        {
            Assert.False(ExportFilter.Parse(filter).Matches(subject));
        }
    }

    [Fact]
    public void A_number_beyond_double_range_is_present_but_equal_to_no_literal()
    {
        var subject = FilterSamples.Subject("""{"component":null,"telemetry":{"huge":1e400}}""", """{"$id":"d1"}""");

        Assert.True(ExportFilter.Parse($"{FromDevices} WHERE huge != 1").Matches(subject));
        Assert.False(ExportFilter.Parse($"{FromDevices} WHERE huge > 1").Matches(subject));
        Assert.False(ExportFilter.Parse($"{FromDevices} WHERE huge = null").Matches(subject));
    }

    [Fact]
    public void A_message_with_a_duplicate_key_does_not_match_and_does_not_throw()
    {
        var subject = FilterSamples.Subject(
            """{"deviceId":"d1","component":null,"telemetry":{"temperature":1,"temperature":2}}""",
            """{"$id":"d1"}""");

        Assert.False(ExportFilter.Parse($"{FromDevices} WHERE temperature > 0").Matches(subject));
    }

    [Fact]
    public void A_null_subject_does_not_match()
    {
        Assert.False(ExportFilter.Parse(FromDevices).Matches(null!));
        Assert.False(ExportFilter.Parse(FromDevices).Matches(new FilterSubject(null!, new JsonObject())));
    }

    [Fact]
    public void Every_sample_passes_an_unconditional_device_scoped_filter()
    {
        var filter = ExportFilter.Parse(FromDevices);

        Assert.All(FilterSamples.Names, name => Assert.True(filter.Matches(FilterSamples.Get(name)), name));
    }
}
