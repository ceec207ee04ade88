using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Templates.Dtdl;
using Centrum.Templates.Views;

namespace Centrum.Templates.Tests;

/// <summary>
/// A device's default views are generated from its template as IoT Central's are: every capability of the published
/// models gets a view, grouped by component, and every form turns what a person types into a value its schema accepts.
/// </summary>
public sealed class DeviceViewTests
{
    private static readonly string Folder = ReferenceModels.Folder;

    public static TheoryData<string> Models() => new(Directory.GetFiles(Folder, "*.json", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Folder, f)).Order());

    [Fact]
    public void The_temperature_controller_shows_its_root_then_each_component_with_what_it_declares()
    {
        var view = DeviceView.From(Template("com/example/temperaturecontroller-2.json"));

        Assert.Equal([null, "thermostat1", "thermostat2", "deviceInformation"], view.Components.Select(c => c.Name));
        var root = view.Components[0];
        Assert.Equal("dtmi:com:example:TemperatureController;2", root.InterfaceId);
        var workingSet = Assert.Single(root.Telemetry);
        Assert.Equal(("workingSet", "Working Set", "kibibit", FormFieldKind.Double, true),
            (workingSet.Name, workingSet.DisplayName, workingSet.Unit, workingSet.Value.Kind, workingSet.Value.IsNumeric));
        Assert.Equal(PropertyAccess.ReadOnly, Assert.Single(root.Properties).Access);
        var reboot = Assert.Single(root.Commands);
        Assert.Equal(("delay", FormFieldKind.Integer), (reboot.Request!.Name, reboot.Request.Kind));
        Assert.Null(reboot.Response);

        var thermostat = view.Components[1];
        Assert.Equal("dtmi:com:example:Thermostat;1", thermostat.InterfaceId);
        Assert.Equal(("thermostat1", "temperature", "degreeCelsius"), (thermostat.Telemetry[0].Component, thermostat.Telemetry[0].Name, thermostat.Telemetry[0].Unit));
        Assert.Contains("Temperature", thermostat.Telemetry[0].SemanticTypes);
        var target = view.FindProperty("thermostat1", "targetTemperature")!;
        Assert.Equal((PropertyAccess.Writable, true, FormFieldKind.Double), (target.Access, target.IsEditable, target.Value.Kind));
        Assert.Equal(PropertyAccess.ReadOnly, view.FindProperty("thermostat1", "maxTempSinceLastReboot")!.Access);

        var report = view.FindCommand("thermostat1", "getMaxMinReport")!;
        Assert.Equal(FormFieldKind.DateTime, report.Request!.Kind);
        Assert.Equal(FormFieldKind.Object, report.Response!.Kind);
        Assert.Equal(["maxTemp", "minTemp", "avgTemp", "startTime", "endTime"], report.Response.Fields.Select(f => f.Name));
        Assert.Equal([FormFieldKind.Double, FormFieldKind.Double, FormFieldKind.Double, FormFieldKind.DateTime, FormFieldKind.DateTime],
            report.Response.Fields.Select(f => f.Kind));
        Assert.Null(view.FindCommand(null, "getMaxMinReport"));
    }

    [Fact]
    public void Cloud_properties_enums_geopoints_and_arrays_get_the_forms_iot_central_gives_them()
    {
        var view = DeviceView.From(Inline("""
            {
              "@context": ["dtmi:dtdl:context;2", "dtmi:iotcentral:context;2"],
              "@id": "dtmi:com:example:Forms;1",
              "@type": "Interface",
              "contents": [
                { "@type": ["Property", "Cloud"], "name": "customerName", "schema": "string" },
                { "@type": "Property", "name": "mode", "writable": true, "schema": { "@type": "Enum", "valueSchema": "integer",
                  "enumValues": [ { "name": "off", "displayName": "Switched off", "enumValue": 0 }, { "name": "on", "enumValue": 1 } ] } },
                { "@type": ["Telemetry", "Location"], "name": "position", "schema": "geopoint" },
                { "@type": "Telemetry", "name": "history", "schema": { "@type": "Array", "elementSchema": "long" } },
                { "@type": "Command", "name": "configure", "request": { "name": "settings", "schema": { "@type": "Object", "fields": [
                  { "name": "interval", "schema": "duration" }, { "name": "enabled", "schema": "boolean" }, { "name": "since", "schema": "date" } ] } } }
              ]
            }
            """));

        var customer = view.FindProperty(null, "customerName")!;
        Assert.Equal((PropertyAccess.Cloud, true), (customer.Access, customer.IsEditable));
        var mode = view.FindProperty(null, "mode")!;
        Assert.Equal(FormFieldKind.Enum, mode.Value.Kind);
        Assert.Equal([("off", "Switched off", 0), ("on", "on", 1)], mode.Value.Options.Select(o => (o.Name, o.DisplayName, o.Value.GetValue<int>())));
        var position = view.FindTelemetry(null, "position")!;
        Assert.Equal(FormFieldKind.Geopoint, position.Value.Kind);
        Assert.Equal(["lat", "lon", "alt"], position.Value.Fields.Select(f => f.Name));
        Assert.False(position.Value.IsNumeric);
        Assert.Equal(FormFieldKind.Json, view.FindTelemetry(null, "history")!.Value.Kind);
        Assert.Equal([FormFieldKind.Duration, FormFieldKind.Boolean, FormFieldKind.Date],
            view.FindCommand(null, "configure")!.Request!.Fields.Select(f => f.Kind));
    }

    [Fact]
    public void A_form_turns_typed_text_into_the_declared_value_and_names_the_field_it_refuses()
    {
        var view = DeviceView.From(Inline("""
            {
              "@context": "dtmi:dtdl:context;2",
              "@id": "dtmi:com:example:Typing;1",
              "@type": "Interface",
              "contents": [
                { "@type": "Property", "name": "count", "displayName": "Count", "writable": true, "schema": "integer" },
                { "@type": "Property", "name": "level", "writable": true, "schema": { "@type": "Enum", "valueSchema": "string",
                  "enumValues": [ { "name": "low", "enumValue": "L" }, { "name": "high", "enumValue": "H" } ] } },
                { "@type": "Command", "name": "move", "request": { "name": "target", "schema": { "@type": "Object", "fields": [
                  { "name": "where", "schema": { "@type": "Object", "fields": [ { "name": "x", "schema": "double" }, { "name": "label", "schema": "string" } ] } },
                  { "name": "at", "schema": "dateTime" } ] } } },
                { "@type": "Telemetry", "name": "history", "schema": { "@type": "Array", "elementSchema": "integer" } }
              ]
            }
            """));

        var count = view.FindProperty(null, "count")!.Value.NewInput();
        count.Text = " 42 ";
        Assert.Equal(42, count.Required().Value!.GetValue<int>());
        count.Text = "4.5";
        Assert.Equal("'Count' takes a whole number between -2147483648 and 2147483647.", count.Required().Problem!.Message);
        count.Text = "3000000000";
        Assert.False(count.Required().Succeeded);
        count.Text = "";
        Assert.Equal("'Count' needs a value.", count.Required().Problem!.Message);

        var level = view.FindProperty(null, "level")!.Value.NewInput();
        level.Text = "high";
        Assert.Equal("H", level.Required().Value!.GetValue<string>());
        level.Text = "H";
        Assert.Equal("'level' takes one of low, high.", level.Required().Problem!.Message);

        var move = view.FindCommand(null, "move")!.Request!.NewInput();
        move.Children[0].Children[0].Text = "1.5";
        move.Children[1].Text = "2026-03-01T10:00:00+01:00";
        Assert.Equal("""{"where":{"x":1.5},"at":"2026-03-01T09:00:00Z"}""", move.Required().Value!.ToJsonString());
        move.Children[0].Children[0].Text = "east";
        Assert.Equal("target: where: 'x' takes a number.", move.Required().Problem!.Message);

        var history = view.FindTelemetry(null, "history")!.Value.NewInput();
        history.Text = "[1, 2, 3]";
        Assert.Equal("[1,2,3]", history.Required().Value!.ToJsonString());
        history.Text = "[1, \"2\"]";
        Assert.Equal("'history' takes JSON that fits its schema.", history.Required().Problem!.Message);
        history.Text = new string('[', 200) + new string(']', 200);
        Assert.False(history.Required().Succeeded);
    }

    [Fact]
    public void A_geopoint_needs_both_coordinates_and_may_leave_out_its_altitude()
    {
        var position = DeviceView.From(Inline("""
            { "@context": ["dtmi:dtdl:context;2", "dtmi:iotcentral:context;2"], "@id": "dtmi:com:example:Where;1", "@type": "Interface",
              "contents": [ { "@type": ["Property", "Location"], "name": "home", "writable": true, "schema": "geopoint" } ] }
            """)).FindProperty(null, "home")!.Value.NewInput();

        position.Children[0].Text = "47.6";
        Assert.False(position.Required().Succeeded);
        position.Children[1].Text = "-122.3";
        Assert.Equal("""{"lat":47.6,"lon":-122.3}""", position.Required().Value!.ToJsonString());
    }

    /// <summary>
    /// For every capability of every published model, a value its schema accepts (drawn at random with a fixed seed)
    /// shown in the form and read back is the same value, and the schema accepts what the form returns.
    /// </summary>
    [Theory]
    [MemberData(nameof(Models))]
    public void Every_form_of_a_published_model_reads_back_the_value_it_shows(string file)
    {
        var parsed = DtdlParser.Parse(ReferenceModels.WithDependencies(Path.Combine(Folder, file)));
        var random = new Random(file.Length * 7919);
        var forms = 0;
        foreach (var model in parsed.Interfaces.Values)
        {
            var view = DeviceView.From(TemplateOf(model));
            var fields = view.Telemetry.Select(t => t.Value)
                .Concat(view.Properties.Select(p => p.Value))
                .Concat(view.Commands.SelectMany(c => new[] { c.Request, c.Response }).OfType<FormField>());
            foreach (var field in fields)
            {
                for (var round = 0; round < 20; round++)
                {
                    var value = Values.For(field.Schema, random, 0);
                    var input = field.NewInput();
                    input.Fill(value);
                    var read = input.Required();
                    Assert.True(read.Succeeded, $"{field.Name} in {model.Id}: {read.Problem?.Message} for {value.ToJsonString()}");
                    Assert.True(JsonNode.DeepEquals(value, read.Value), $"{field.Name} in {model.Id}: {value.ToJsonString()} read back as {read.Value!.ToJsonString()}");
                    Assert.True(DeviceModels.Conforms(field.Schema, JsonSerializer.SerializeToElement(read.Value)));
                    forms++;
                }
            }
        }

        Assert.True(forms > 0, $"{file} declares no capability");
    }

    private static DeviceTemplate Template(string relative)
    {
        var documents = ReferenceModels.WithDependencies(Path.Combine([Folder, .. relative.Split('/')]));
        var parsed = DtdlParser.Parse(documents);
        Assert.True(parsed.IsValid, string.Join('\n', parsed.Errors));
        return TemplateOf(parsed.Interfaces[JsonNode.Parse(documents[0])!["@id"]!.GetValue<string>()]);
    }

    private static DeviceTemplate Inline(string json)
    {
        var parsed = DtdlParser.Parse(json);
        Assert.True(parsed.IsValid, string.Join('\n', parsed.Errors));
        return TemplateOf(parsed.Interfaces.Single().Value);
    }

    private static DeviceTemplate TemplateOf(DtdlInterface model) =>
        new("template-1", model.Id, model.DisplayName?.Default, null, [], new JsonObject(), "\"1\"", model);

    /// <summary>Random values a schema accepts, in the forms devices send them.</summary>
    private static class Values
    {
        public static JsonNode For(DtdlSchema schema, Random random, int depth) => schema switch
        {
            DtdlSchemaReference { Target: { } target } => For(target, random, depth + 1),
            DtdlPrimitiveSchema primitive => Primitive(primitive.Name, random),
            DtdlEnumSchema enumeration => enumeration.Values[random.Next(enumeration.Values.Count)].Value.DeepClone(),
            DtdlObjectSchema obj => new JsonObject(obj.Fields.Select(f => KeyValuePair.Create(f.Name, (JsonNode?)For(f.Schema, random, depth + 1)))),
            DtdlMapSchema map => new JsonObject(Enumerable.Range(0, random.Next(3)).Select(i => KeyValuePair.Create($"key{i}", (JsonNode?)For(map.ValueSchema, random, depth + 1)))),
            DtdlArraySchema array => new JsonArray([.. Enumerable.Range(0, random.Next(4)).Select(_ => (JsonNode?)For(array.ElementSchema, random, depth + 1))]),
            _ => throw new InvalidOperationException($"No values for {schema.GetType().Name}"),
        };

        private static JsonNode Primitive(string name, Random random) => name switch
        {
            "boolean" => random.Next(2) == 0,
            "integer" => random.Next(int.MinValue, int.MaxValue),
            "long" => random.NextInt64(long.MinValue, long.MaxValue),
            "double" or "float" => Math.Round((random.NextDouble() - 0.5) * 2000, random.Next(6)),
            "string" => $"text {random.Next(1000)} ü",
            "date" => new DateOnly(2020, 1, 1).AddDays(random.Next(3000)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            "dateTime" => new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(random.Next(100_000_000)).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            "time" => new TimeOnly(random.Next(24), random.Next(60), random.Next(60)).ToString("HH:mm:ss", CultureInfo.InvariantCulture),
            "duration" => $"PT{random.Next(1, 48)}H{random.Next(1, 60)}M",
            "geopoint" => new JsonObject { ["lat"] = Math.Round(random.NextDouble() * 180 - 90, 4), ["lon"] = Math.Round(random.NextDouble() * 360 - 180, 4) },
            "vector" => new JsonObject { ["x"] = random.Next(100), ["y"] = random.Next(100), ["z"] = random.Next(100) },
            "point" => new JsonObject { ["type"] = "Point", ["coordinates"] = new JsonArray(1.5, 2.5) },
            _ => new JsonObject { ["type"] = name, ["coordinates"] = new JsonArray(new JsonArray(1.5, 2.5), new JsonArray(3.5, 4.5)) },
        };
    }
}
