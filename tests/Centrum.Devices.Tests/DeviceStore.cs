using System.Collections.Concurrent;
using Centrum.Audit;
using Centrum.Organizations;
using Centrum.Storage;
using Centrum.Storage.Entities;
using Centrum.Templates;
using Centrum.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Centrum.Devices.Tests;

/// <summary>
/// The devices area on a real SQLite metadata store in its own temp folder, without a server. What lives in other
/// areas is stood in for by small catalogs that answer from what the test says exists and record what they were told:
/// templates (<see cref="Templates"/>), organizations (<see cref="Organizations"/>) and the gateway's connections
/// (<see cref="Connections"/>).
/// </summary>
internal sealed class DeviceStore : IAsyncDisposable
{
    public const string App = "app-1";
    public const string OtherApp = "app-2";

    private SqliteAreaHost _host = null!;

    public KnownTemplates Templates { get; } = new();

    public KnownOrganizations Organizations { get; } = new();

    public RecordingConnections Connections { get; } = new();

    public RecordingAudit Audit { get; } = new();

    public RecordingCommands Commands { get; } = new();

    public DeviceRegistry Registry => _host.Services.GetRequiredService<DeviceRegistry>();

    public DeviceBulkActions BulkActions => _host.Services.GetRequiredService<DeviceBulkActions>();

    public DeviceConnectionDetails ConnectionDetails => _host.Services.GetRequiredService<DeviceConnectionDetails>();

    public IDeviceDirectory Directory => _host.Services.GetRequiredService<IDeviceDirectory>();

    public static async Task<DeviceStore> StartAsync()
    {
        var store = new DeviceStore();
        store._host = await SqliteAreaHost.StartAsync("devices", (services, _) => services
            .AddCentrumDevices()
            .AddSingleton<ITemplateCatalog>(store.Templates)
            .AddSingleton<IOrganizationCatalog>(store.Organizations)
            .AddSingleton<IDeviceConnections>(store.Connections)
            .AddSingleton<IAuditTrail>(store.Audit)
            .AddSingleton<ILoggerProvider>(store.Commands));
        await using var db = await store.ContextAsync();
        db.Applications.Add(new ApplicationEntity { Id = App, DisplayName = "App", HubHostName = "app-1.localhost", IdScope = "0ne00000001" });
        db.Applications.Add(new ApplicationEntity { Id = OtherApp, DisplayName = "Other", HubHostName = "app-2.localhost", IdScope = "0ne00000002" });
        await db.SaveChangesAsync();
        return store;
    }

    /// <summary>Two reads of a device are the same: every field, and the organizations by their elements (a record compares lists by reference).</summary>
    public static void AssertSameDevice(Device? expected, Device? actual)
    {
        Assert.NotNull(expected);
        Assert.NotNull(actual);
        Assert.Equal(expected.Organizations, actual.Organizations);
        IReadOnlyList<string> none = [];
        Assert.Equal(expected with { Organizations = none }, actual with { Organizations = none });
    }

    public Task<CentrumDbContext> ContextAsync() => _host.Contexts.CreateDbContextAsync();

    /// <summary>The kinds of the device-event log's entries about one device, oldest first.</summary>
    public async Task<IReadOnlyList<string>> EventsAsync(string deviceId, string applicationId = App)
    {
        await using var db = await ContextAsync();
        return await db.DeviceEvents.AsNoTracking().Where(e => e.ApplicationId == applicationId && e.DeviceId == deviceId).OrderBy(e => e.Id).Select(e => e.Kind).ToListAsync();
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}

/// <summary>The templates area as the devices area sees it: which templates exist (by model id), and which devices it was told to forget.</summary>
internal sealed class KnownTemplates : ITemplateCatalog
{
    private readonly ConcurrentDictionary<(string Application, string Template), string> _templates = new();
    private readonly ConcurrentQueue<(string Application, string Device)> _forgotten = new();

    /// <summary>Runs while the registry asks whether a template exists: lets a test write in between, as a concurrent request would.</summary>
    public Func<Task>? WhileAsked { get; set; }

    /// <summary>Runs while the registry looks a model id up: lets a test provision the same device in between.</summary>
    public Func<Task>? WhileFinding { get; set; }

    public IReadOnlyList<(string Application, string Device)> Forgotten => _forgotten.ToList();

    private readonly ConcurrentDictionary<(string Application, string Template), bool> _edge = new();

    public void Add(string applicationId, string templateId, string modelId, bool edge = false)
    {
        _templates[(applicationId, templateId)] = modelId;
        _edge[(applicationId, templateId)] = edge;
    }

    public ValueTask<bool> IsEdgeAsync(string applicationId, string templateId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_edge.TryGetValue((applicationId, templateId), out var edge) && edge);

    public async ValueTask<bool> ExistsAsync(string applicationId, string templateId, CancellationToken cancellationToken)
    {
        if (WhileAsked is { } write)
        {
            WhileAsked = null;
            await write();
        }

        return _templates.ContainsKey((applicationId, templateId));
    }

    public async ValueTask<string?> FindByModelIdAsync(string applicationId, string modelId, CancellationToken cancellationToken)
    {
        if (WhileFinding is { } write)
        {
            WhileFinding = null;
            await write();
        }

        return _templates.Where(t => t.Key.Application == applicationId && t.Value == modelId).Select(t => t.Key.Template).FirstOrDefault();
    }

    public void ForgetDevice(string applicationId, string deviceId) => _forgotten.Enqueue((applicationId, deviceId));

    public void ClearForgotten() => _forgotten.Clear();
}

/// <summary>The identity area's organizations as the devices area sees them: which ids exist in which application.</summary>
internal sealed class KnownOrganizations : IOrganizationCatalog
{
    private readonly ConcurrentDictionary<(string Application, string Organization), bool> _organizations = new();

    public void Add(string applicationId, params string[] organizationIds)
    {
        foreach (var id in organizationIds)
        {
            _organizations[(applicationId, id)] = true;
        }
    }

    public ValueTask<IReadOnlyList<string>> UnknownAsync(string applicationId, IReadOnlyCollection<string> organizationIds, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<string>>(organizationIds.Where(o => !_organizations.ContainsKey((applicationId, o))).ToList());

    /// <summary>The organizations here have no children: a subtree is the roots that exist.</summary>
    public ValueTask<IReadOnlySet<string>> SubtreeAsync(string applicationId, IReadOnlyCollection<string> roots, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlySet<string>>(roots.Where(o => _organizations.ContainsKey((applicationId, o))).ToHashSet());
}

/// <summary>The gateway's end: records which devices it was told to disconnect, and holds the ones a test connects.</summary>
internal sealed class RecordingConnections : IDeviceConnections
{
    private readonly ConcurrentQueue<(string Device, string Reason)> _closed = new();
    private readonly ConcurrentDictionary<(string Application, string Device), bool> _connected = new();

    public IReadOnlyList<(string Device, string Reason)> Closed => _closed.ToList();

    public void Connect(string applicationId, string deviceId) => _connected[(applicationId, deviceId)] = true;

    public ValueTask DisconnectAsync(string applicationId, string deviceId, string reason)
    {
        _closed.Enqueue((deviceId, reason));
        _connected.TryRemove((applicationId, deviceId), out _);
        return ValueTask.CompletedTask;
    }

    public ValueTask DisconnectCredentialAsync(string applicationId, string credentialSource, string reason) => ValueTask.CompletedTask;

    public ValueTask DisconnectApplicationAsync(string applicationId, string reason) => ValueTask.CompletedTask;

    public bool IsConnected(string applicationId, string deviceId) => _connected.ContainsKey((applicationId, deviceId));

    public IReadOnlyCollection<string> ConnectedDevices(string applicationId) => [.. _connected.Keys.Where(k => k.Application == applicationId).Select(k => k.Device)];
}

/// <summary>The identity area's audit log as the devices area writes to it: the entries, in order.</summary>
internal sealed class RecordingAudit : IAuditTrail
{
    private readonly ConcurrentQueue<(string Application, AuditTrailEntry Entry)> _entries = new();

    public IReadOnlyList<(string Application, AuditTrailEntry Entry)> Entries => [.. _entries];

    public void Clear() => _entries.Clear();

    public Task RecordAsync(string applicationId, AuditTrailEntry entry, CancellationToken cancellationToken)
    {
        _entries.Enqueue((applicationId, entry));
        return Task.CompletedTask;
    }
}

/// <summary>The SQL EF Core ran (its "Executed DbCommand" events), so a test can ask SQLite how it plans a query.</summary>
internal sealed class RecordingCommands : ILoggerProvider, ILogger
{
    private readonly ConcurrentQueue<string> _commands = new();

    public IReadOnlyList<string> Executed => [.. _commands];

    public void Clear() => _commands.Clear();

    public ILogger CreateLogger(string categoryName) => categoryName == "Microsoft.EntityFrameworkCore.Database.Command" ? this : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (eventId.Name == "Microsoft.EntityFrameworkCore.Database.Command.CommandExecuted"
            && state is IReadOnlyList<KeyValuePair<string, object?>> values && values.FirstOrDefault(v => v.Key == "commandText").Value is string text)
        {
            _commands.Enqueue(text);
        }
    }

    public void Dispose()
    {
    }
}
