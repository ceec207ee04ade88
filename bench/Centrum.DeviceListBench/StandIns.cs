using System.Collections.Concurrent;
using Centrum.Audit;
using Centrum.Devices;
using Centrum.Organizations;
using Centrum.Templates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Centrum.DeviceListBench;

/// <summary>Every template exists and none is an IoT Edge template; a list reads none.</summary>
internal sealed class BenchTemplates : ITemplateCatalog
{
    public ValueTask<bool> ExistsAsync(string applicationId, string templateId, CancellationToken cancellationToken) => ValueTask.FromResult(true);

    public ValueTask<bool> IsEdgeAsync(string applicationId, string templateId, CancellationToken cancellationToken) => ValueTask.FromResult(false);

    public ValueTask<string?> FindByModelIdAsync(string applicationId, string modelId, CancellationToken cancellationToken) => ValueTask.FromResult<string?>(null);

    public void ForgetDevice(string applicationId, string deviceId)
    {
    }
}

/// <summary>Every organization exists and has no children.</summary>
internal sealed class BenchOrganizations : IOrganizationCatalog
{
    public ValueTask<IReadOnlyList<string>> UnknownAsync(string applicationId, IReadOnlyCollection<string> organizationIds, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<string>>([]);

    public ValueTask<IReadOnlySet<string>> SubtreeAsync(string applicationId, IReadOnlyCollection<string> roots, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlySet<string>>(roots.ToHashSet());
}

/// <summary>The gateway's connections: the devices the bench says are connected.</summary>
internal sealed class BenchConnections : IDeviceConnections
{
    private readonly ConcurrentDictionary<(string Application, string Device), bool> _connected = new();

    public void Connect(string applicationId, string deviceId) => _connected[(applicationId, deviceId)] = true;

    public ValueTask DisconnectAsync(string applicationId, string deviceId, string reason) => ValueTask.CompletedTask;

    public ValueTask DisconnectCredentialAsync(string applicationId, string credentialSource, string reason) => ValueTask.CompletedTask;

    public ValueTask DisconnectApplicationAsync(string applicationId, string reason) => ValueTask.CompletedTask;

    public bool IsConnected(string applicationId, string deviceId) => _connected.ContainsKey((applicationId, deviceId));

    public IReadOnlyCollection<string> ConnectedDevices(string applicationId) => [.. _connected.Keys.Where(k => k.Application == applicationId).Select(k => k.Device)];
}

internal sealed class BenchAudit : IAuditTrail
{
    public Task RecordAsync(string applicationId, AuditTrailEntry entry, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>The statements EF Core ran (its "Executed DbCommand" events), to show each with its plan.</summary>
internal sealed class BenchCommands : ILoggerProvider, ILogger
{
    private readonly ConcurrentQueue<string> _commands = new();

    public IReadOnlyList<string> Executed => [.. _commands];

    public ILogger CreateLogger(string categoryName) => categoryName == "Microsoft.EntityFrameworkCore.Database.Command" ? this : NullLogger.Instance;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (eventId.Name == "Microsoft.EntityFrameworkCore.Database.Command.CommandExecuted"
            && state is IReadOnlyList<KeyValuePair<string, object?>> values && values.FirstOrDefault(v => v.Key == "commandText").Value is string text
            && text.StartsWith("SELECT", StringComparison.Ordinal))
        {
            _commands.Enqueue(text);
        }
    }

    public void Dispose()
    {
    }
}
