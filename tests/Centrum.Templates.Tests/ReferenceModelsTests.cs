using Centrum.Templates.Dtdl;

namespace Centrum.Templates.Tests;

/// <summary>Every model device makers publish (kept in tests/reference-models) imports, alone with its dependencies and all together.</summary>
public sealed class ReferenceModelsTests
{
    private static readonly string Folder = ReferenceModels.Folder;

    public static TheoryData<string> Models() => new(Directory.GetFiles(Folder, "*.json", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Folder, f)).Order());

    [Theory]
    [MemberData(nameof(Models))]
    public void A_published_model_imports_with_its_dependencies(string file)
    {
        var documents = WithDependencies(Path.Combine(Folder, file));
        var result = DtdlParser.Parse(documents);
        Assert.True(result.IsValid, string.Join('\n', result.Errors));
        Assert.NotEmpty(result.Interfaces);
    }

    [Fact]
    public void All_published_models_import_together_as_one_model()
    {
        var documents = Directory.GetFiles(Folder, "*.json", SearchOption.AllDirectories).Select(File.ReadAllText).ToList();
        var result = DtdlParser.Parse(documents);
        Assert.True(result.IsValid, string.Join('\n', result.Errors));
        Assert.Equal(documents.Count, result.Interfaces.Count);
    }

    [Fact]
    public void The_temperature_controller_resolves_its_components_and_schemas()
    {
        var result = DtdlParser.Parse(WithDependencies(Path.Combine(Folder, "com", "example", "temperaturecontroller-2.json")));
        var controller = result.Interfaces["dtmi:com:example:TemperatureController;2"];
        Assert.Equal(["thermostat1", "thermostat2", "deviceInformation"], controller.Components.Select(c => c.Name));
        var thermostat = controller.Components.First().Schema!;
        Assert.Equal("dtmi:com:example:Thermostat;1", thermostat.Id);
        var temperature = Assert.Single(thermostat.Telemetry);
        Assert.Equal(("temperature", "degreeCelsius", "Temperature"), (temperature.Name, temperature.Unit, temperature.CoTypes.Single()));
        var target = thermostat.Properties.Single(p => p.Name == "targetTemperature");
        Assert.True(target.Writable);
        var report = thermostat.Commands.Single();
        Assert.Equal("getMaxMinReport", report.Name);
        Assert.IsType<DtdlObjectSchema>(report.Response!.Schema);
        Assert.Contains(controller.Commands, c => c.Name == "reboot");
    }

    private static List<string> WithDependencies(string file) => ReferenceModels.WithDependencies(file);
}
