using System.Diagnostics;
using System.Reflection;

namespace Centrum.IntegrationTests.Observability;

/// <summary>An area's <c>ActivitySource</c> that the one OpenTelemetry wiring does not list would record nothing.</summary>
public sealed class TraceSourceRegistrationTests
{
    [Fact]
    public void Every_area_source_is_registered_with_OpenTelemetry()
    {
        var areas = Directory.GetFiles(AppContext.BaseDirectory, "Centrum.*.dll")
            .Select(path => Assembly.Load(AssemblyName.GetAssemblyName(path)))
            .Where(a => !a.GetName().Name!.EndsWith(".Tests", StringComparison.Ordinal) && a.GetName().Name != "Centrum.IntegrationTests");
        var sources = areas
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
            .Where(f => f.FieldType == typeof(ActivitySource))
            .Select(f => ((ActivitySource)f.GetValue(null)!).Name)
            .ToList();

        Assert.Contains(Centrum.Telemetry.TelemetryTracing.SourceName, sources);
        Assert.Contains(Centrum.Export.ExportTracing.SourceName, sources);
        Assert.All(sources, name => Assert.Contains(name, Centrum.Server.Hosting.Observability.TraceSources));
    }
}
