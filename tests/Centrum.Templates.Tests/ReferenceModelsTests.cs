using System.Text.RegularExpressions;
using Centrum.Templates.Dtdl;

namespace Centrum.Templates.Tests;

/// <summary>Every model device makers publish (shared/reference/dtdl-models) imports, alone with its dependencies and all together.</summary>
public sealed partial class ReferenceModelsTests
{
    private static readonly string Folder = FindModels();

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

    private static List<string> WithDependencies(string file)
    {
        var documents = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Load(string path)
        {
            if (!seen.Add(path))
            {
                return;
            }

            var text = File.ReadAllText(path);
            documents.Add(text);
            var own = OwnIds().Matches(text).Select(m => m.Groups[1].Value).ToHashSet();
            foreach (var dtmi in References().Matches(text).Select(m => m.Groups[1].Value).Where(d => !own.Contains(d)))
            {
                if (PathOf(dtmi) is { } dependency)
                {
                    Load(dependency);
                }
            }
        }

        Load(file);
        return documents;
    }

    /// <summary>The public model repository's layout: <c>dtmi/com/example/thermostat-1.json</c> for <c>dtmi:com:example:Thermostat;1</c>.</summary>
    private static string? PathOf(string dtmi)
    {
        var (body, version) = (dtmi[5..dtmi.IndexOf(';', StringComparison.Ordinal)], dtmi[(dtmi.IndexOf(';', StringComparison.Ordinal) + 1)..]);
        var segments = body.ToLowerInvariant().Split(':');
        var path = Path.Combine([Folder, .. segments[..^1], $"{segments[^1]}-{version}.json"]);
        return File.Exists(path) ? path : null;
    }

    private static string FindModels()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "reference", "dtdl-models", "dtmi");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("shared/reference/dtdl-models is missing beside the repository.");
    }

    [GeneratedRegex("\"(?:extends|schema)\"\\s*:\\s*\"(dtmi:[^\"]+)\"")]
    private static partial Regex References();

    [GeneratedRegex("\"@id\"\\s*:\\s*\"(dtmi:[^\"]+)\"")]
    private static partial Regex OwnIds();
}
