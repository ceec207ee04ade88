using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using Centrum.Devices;
using Centrum.Events;
using Centrum.Storage.Entities;
using Centrum.Storage.Writing;
using Centrum.Templates;
using Centrum.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.Commands.Tests;

/// <summary>
/// A command is written once, after its device answered: the call's event, the history record and the answer's event
/// in one write, which commands of other devices share (the metadata store's <see cref="MetadataWriter"/>), on a real
/// SQLite store. While the device has not answered nothing is written; once the caller has its answer, all three are
/// stored.
/// </summary>
public sealed class CommandRecordTests : IAsyncLifetime
{
    private const string App = "app-1";
    private const int Devices = 20;
    private const int CommandsPerDevice = 3;
    private readonly HeldInvoker _device = new();
    private SqliteAreaHost _host = null!;

    private CommandService Commands => _host.Services.GetRequiredService<CommandService>();

    private static string Device(int i) => $"pump-{i:D2}";

    public async Task InitializeAsync()
    {
        _host = await SqliteAreaHost.StartAsync("commands-record", (services, configuration) =>
        {
            services.AddCentrumDevices();
            services.AddCentrumTemplates();
            services.AddCentrumCommands(configuration);
            services.AddSingleton<IDirectMethodInvoker>(_device);
        });
        await using var db = await _host.Contexts.CreateDbContextAsync();
        db.Applications.Add(new ApplicationEntity { Id = App, DisplayName = "App", HubHostName = "app-1.localhost", IdScope = "0ne00000001" });
        for (var i = 0; i < Devices; i++)
        {
            db.Devices.Add(new DeviceEntity { ApplicationId = App, Id = Device(i), PrimaryKeyProtected = "-", SecondaryKeyProtected = "-", ETag = "e" });
        }

        await db.SaveChangesAsync();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Commands_are_written_once_each_after_their_answers_in_shared_commits()
    {
        var commits = 0;
        var written = 0;
        using var listener = new MeterListener();
        var meters = _host.Services.GetRequiredService<IMeterFactory>();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "centrum.storage.commit.batch_size" && ReferenceEquals(instrument.Meter.Scope, meters))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((_, value, _, _) =>
        {
            Interlocked.Increment(ref commits);
            Interlocked.Add(ref written, value);
        });
        listener.Start();

        var runs = Enumerable.Range(0, Devices * CommandsPerDevice)
            .Select(i => Task.Run(() => Commands.RunAsync(App, Device(i % Devices), new CommandCall("ping", new JsonObject { ["n"] = i }), CancellationToken.None)))
            .ToList();
        await _device.ReachedAsync(Devices * CommandsPerDevice).WaitAsync(TimeSpan.FromSeconds(30));

        // Every command has reached its device and none is answered: nothing of them is stored yet.
        await using (var db = await _host.Contexts.CreateDbContextAsync())
        {
            Assert.Equal(0, await db.CommandRecords.CountAsync());
            Assert.Equal(0, await db.DeviceEvents.CountAsync(e => e.Kind == nameof(DeviceEventKind.CommandCalled)));
        }

        _device.AnswerAll();
        var executions = (await Task.WhenAll(runs).WaitAsync(TimeSpan.FromSeconds(30))).Select(o => o.Value!).ToList();

        await using (var db = await _host.Contexts.CreateDbContextAsync())
        {
            var records = await db.CommandRecords.AsNoTracking().ToDictionaryAsync(r => r.Id);
            var events = await db.DeviceEvents.AsNoTracking().Where(e => e.ApplicationId == App).ToListAsync();
            foreach (var execution in executions)
            {
                Assert.Equal(200, records[execution.Id].ResponseCode);
                var mine = events.Where(e => JsonNode.Parse(e.Data!)!["id"]!.GetValue<string>() == execution.Id).ToList();
                Assert.Equal([nameof(DeviceEventKind.CommandAnswered), nameof(DeviceEventKind.CommandCalled)], mine.Select(e => e.Kind).Order(StringComparer.Ordinal));

                // The call's event keeps the time the command was sent (to the log's microsecond), though it is written with the answer.
                var called = mine.Single(e => e.Kind == nameof(DeviceEventKind.CommandCalled)).Time;
                Assert.Equal(execution.Time.UtcTicks / TimeSpan.TicksPerMicrosecond, called.UtcTicks / TimeSpan.TicksPerMicrosecond);
            }

            Assert.Equal(executions.Count, records.Count);
        }

        // One write per command, and commands shared commits.
        Assert.Equal(executions.Count, written);
        Assert.True(commits < executions.Count, $"{commits} commits for {executions.Count} commands");
    }

    /// <summary>The device end of a direct method: holds every call until told to answer, so many commands are in flight at once.</summary>
    private sealed class HeldInvoker : IDirectMethodInvoker
    {
        private readonly TaskCompletionSource _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<(int Count, TaskCompletionSource Reached)> _waiters = [];
        private int _calls;

        public Task ReachedAsync(int count)
        {
            lock (_waiters)
            {
                if (_calls >= count)
                {
                    return Task.CompletedTask;
                }

                var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((count, reached));
                return reached.Task;
            }
        }

        public void AnswerAll() => _answer.TrySetResult();

        public async Task<DirectMethodResult> InvokeAsync(
            string applicationId, string deviceId, string? moduleId, string methodName, JsonNode? payload,
            TimeSpan connectTimeout, TimeSpan responseTimeout, CancellationToken cancellationToken)
        {
            lock (_waiters)
            {
                _calls++;
                foreach (var waiter in _waiters.Where(w => w.Count <= _calls))
                {
                    waiter.Reached.TrySetResult();
                }
            }

            await _answer.Task.WaitAsync(cancellationToken);
            return new DirectMethodResult(DirectMethodStatus.Answered, 200, new JsonObject { ["pong"] = true });
        }
    }
}
