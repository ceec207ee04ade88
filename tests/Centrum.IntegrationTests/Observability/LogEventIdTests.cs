using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Centrum.IntegrationTests.Observability;

/// <summary>
/// Each log event id names one event across the whole server (docs/operations.md, "Event ids"): an operator's alert or
/// filter on an id must not catch another area's event. Two areas that picked the same range would collide unseen.
/// </summary>
public sealed class LogEventIdTests
{
    [Fact]
    public void No_two_log_events_of_the_server_share_an_event_id()
    {
        var areas = Directory.GetFiles(AppContext.BaseDirectory, "Centrum.*.dll")
            .Select(path => Assembly.Load(AssemblyName.GetAssemblyName(path)))
            .Where(a => !a.GetName().Name!.EndsWith(".Tests", StringComparison.Ordinal) && a.GetName().Name != "Centrum.IntegrationTests")
            .Append(typeof(Centrum.Server.Hosting.Observability).Assembly)
            .Distinct();
        var events = areas
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(e => e.Attribute is not null)
            .Select(e => (e.Attribute!.EventId, Name: $"{e.Method.DeclaringType!.FullName}.{e.Method.Name}"))
            .ToList();

        Assert.True(events.Count > 100, $"only {events.Count} log events found: the scan missed the areas");
        var shared = events.GroupBy(e => e.EventId).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(e => e.Name))}").ToList();
        Assert.True(shared.Count == 0, "Log event ids used twice:\n" + string.Join('\n', shared));
    }
}
