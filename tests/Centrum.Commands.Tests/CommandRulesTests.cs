using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Centrum.Devices;
using Centrum.Outcomes;
using Centrum.Storage.Entities;
using Centrum.Templates;
using Centrum.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.Commands.Tests;

/// <summary>
/// The rules of a command and of a cloud-to-device message are the commands area's, whoever calls it (REST, a job, a page): checked here without a
/// server, on a real SQLite metadata store. A refused command reaches no device and leaves no history; the device end
/// is <see cref="RecordingInvoker"/>, which stands for the gateway's connection and records what reached it.
/// </summary>
public sealed class CommandRulesTests : IAsyncLifetime
{
    private const string App = "app-1";
    private const string Model = "dtmi:com:example:Fan;1";
    private readonly RecordingInvoker _device = new();
    private SqliteAreaHost _host = null!;

    private CommandService Commands => _host.Services.GetRequiredService<CommandService>();

    public async Task InitializeAsync()
    {
        _host = await SqliteAreaHost.StartAsync("commands", (services, configuration) =>
        {
            services.AddCentrumDevices();
            services.AddCentrumTemplates();
            services.AddCentrumCommands(configuration);
            services.AddSingleton<IDirectMethodInvoker>(_device);
        });
        var contexts = _host.Contexts;
        await using (var db = await contexts.CreateDbContextAsync())
        {
            db.Applications.Add(new ApplicationEntity { Id = App, DisplayName = "App", HubHostName = "app-1.localhost", IdScope = "0ne00000001" });
            await db.SaveChangesAsync();
        }

        var template = await _host.Services.GetRequiredService<DeviceTemplateService>().SaveAsync(App, Model, ["ModelDefinition", "DeviceModel"], "Fan", null,
            JsonNode.Parse($$$"""
                {"@id":"{{{Model}}}","@type":"Interface","@context":"dtmi:dtdl:context;2","contents":[
                  {"@type":"Command","name":"setSpeed","request":{"name":"rpm","schema":"integer"}},
                  {"@type":"Component","name":"motor","schema":{"@id":"dtmi:com:example:Motor;1","@type":"Interface","contents":[{"@type":"Command","name":"stop"}]}}]}
                """)!, null, CancellationToken.None);
        Assert.True(template.Succeeded, template.Problem?.Message);

        await using var devices = await contexts.CreateDbContextAsync();
        devices.Devices.Add(new DeviceEntity { ApplicationId = App, Id = "fan-1", TemplateId = Model, PrimaryKeyProtected = "-", SecondaryKeyProtected = "-", ETag = "e" });
        devices.Devices.Add(new DeviceEntity { ApplicationId = App, Id = "loose-1", PrimaryKeyProtected = "-", SecondaryKeyProtected = "-", ETag = "e" });
        await devices.SaveChangesAsync();
    }

    public static TheoryData<string, CommandCall, ProblemKind, string> Refusals => new()
    {
        { "fan-1", new CommandCall("set speed", null), ProblemKind.Invalid, "not valid" },
        { "fan-1", new CommandCall("stop", null, Component: "mo/tor"), ProblemKind.Invalid, "not valid" },
        { "fan-1", new CommandCall("setSpeed", 1, ConnectionTimeout: TimeSpan.FromSeconds(31)), ProblemKind.Invalid, "connectionTimeout" },
        { "fan-1", new CommandCall("setSpeed", 1, ConnectionTimeout: TimeSpan.FromSeconds(-1)), ProblemKind.Invalid, "connectionTimeout" },
        { "fan-1", new CommandCall("setSpeed", 1, ResponseTimeout: TimeSpan.FromSeconds(4)), ProblemKind.Invalid, "responseTimeout" },
        { "fan-1", new CommandCall("setSpeed", 1, ResponseTimeout: TimeSpan.FromSeconds(300)), ProblemKind.Invalid, "responseTimeout" },
        { "fan-1", new CommandCall("setSpeed", new string('x', CommandLimits.MaxMethodPayload)), ProblemKind.TooLarge, "larger than" },
        { "fan-1", new CommandCall("reboot", null), ProblemKind.NotFound, "Command 'reboot' is not declared" },
        { "fan-1", new CommandCall("stop", null, Component: "blower"), ProblemKind.NotFound, "Component 'blower' is not declared" },
        { "fan-1", new CommandCall("setSpeed", "fast"), ProblemKind.Invalid, "does not match its schema" },
        { "ghost-1", new CommandCall("setSpeed", 1), ProblemKind.NotFound, "Device 'ghost-1' was not found" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_command_that_breaks_a_rule_is_refused_reaches_no_device_and_leaves_no_history(string deviceId, CommandCall call, ProblemKind kind, string message)
    {
        var outcome = await Commands.RunAsync(App, deviceId, call, CancellationToken.None);

        Assert.False(outcome.Succeeded);
        Assert.Equal(kind, outcome.Problem.Kind);
        Assert.Contains(message, outcome.Problem.Message, StringComparison.Ordinal);
        Assert.Empty(_device.Calls);
        Assert.Empty(await Commands.HistoryAsync(App, deviceId, call.ModuleId, call.Component, call.Name, 0, 10, CancellationToken.None));
    }

    [Fact]
    public async Task A_declared_command_reaches_the_device_with_its_method_name_and_the_answer_is_kept()
    {
        _device.Answer = new DirectMethodResult(DirectMethodStatus.Answered, 200, new JsonObject { ["ok"] = true });

        var root = await Commands.RunAsync(App, "fan-1", new CommandCall("setSpeed", 1200, ResponseTimeout: TimeSpan.FromSeconds(5)), CancellationToken.None);
        var component = await Commands.RunAsync(App, "fan-1", new CommandCall("stop", null, Component: "motor"), CancellationToken.None);

        Assert.True(root.Succeeded);
        Assert.Equal((200, 5, 0), (root.Value.ResponseCode, root.Value.ResponseTimeout, root.Value.ConnectionTimeout));
        Assert.True(component.Succeeded);
        Assert.Equal(["setSpeed", "motor*stop"], _device.Calls.Select(c => c.Method));
        Assert.Equal(TimeSpan.FromSeconds(30), _device.Calls[^1].ResponseTimeout);
        var history = Assert.Single(await Commands.HistoryAsync(App, "fan-1", null, null, "setSpeed", 0, 10, CancellationToken.None));
        Assert.Equal(root.Value.Id, history.Id);
    }

    [Fact]
    public async Task A_device_without_a_template_takes_any_valid_command()
    {
        _device.Answer = new DirectMethodResult(DirectMethodStatus.Answered, 200);

        var outcome = await Commands.RunAsync(App, "loose-1", new CommandCall("anything", new JsonObject { ["x"] = 1 }), CancellationToken.None);

        Assert.True(outcome.Succeeded);
        Assert.Equal("anything", Assert.Single(_device.Calls).Method);
    }

    [Theory]
    [InlineData(DirectMethodStatus.NotConnected, ProblemKind.NotFound, "DeviceNotOnline", 404)]
    [InlineData(DirectMethodStatus.Timeout, ProblemKind.Timeout, "GatewayTimeout", 504)]
    public async Task An_unreachable_or_silent_device_is_a_problem_kept_in_the_history_with_IoT_Hubs_status(
        DirectMethodStatus status, ProblemKind kind, string code, int responseCode)
    {
        _device.Answer = new DirectMethodResult(status);

        var outcome = await Commands.RunAsync(App, "fan-1", new CommandCall("setSpeed", 1), CancellationToken.None);

        Assert.Equal((kind, code), (outcome.Problem!.Kind, outcome.Problem.Code));
        Assert.Equal(responseCode, Assert.Single(await Commands.HistoryAsync(App, "fan-1", null, null, "setSpeed", 0, 10, CancellationToken.None)).ResponseCode);
    }

    [Fact]
    public async Task An_offline_device_gets_the_command_queued_when_asked_until_its_queue_is_full()
    {
        _device.Answer = new DirectMethodResult(DirectMethodStatus.NotConnected);

        for (var i = 0; i < CommandLimits.MaxQueuedMessages; i++)
        {
            var queued = await Commands.RunAsync(App, "fan-1", new CommandCall("setSpeed", i, QueueIfOffline: true), CancellationToken.None);
            Assert.Equal(202, queued.Value!.ResponseCode);
        }

        var full = await Commands.RunAsync(App, "fan-1", new CommandCall("setSpeed", 0, QueueIfOffline: true), CancellationToken.None);
        Assert.Equal((ProblemKind.LimitReached, "DeviceMaximumQueueDepthExceeded"), (full.Problem!.Kind, full.Problem.Code));
    }

    public static TheoryData<string, int, TimeSpan, ProblemKind, string> MessageRefusals => new()
    {
        { "fan-1", 16, TimeSpan.FromSeconds(59), ProblemKind.Invalid, "Field 'ttl' must be between PT1M and PT48H" },
        { "fan-1", 16, TimeSpan.FromHours(48) + TimeSpan.FromSeconds(1), ProblemKind.Invalid, "Field 'ttl'" },
        { "fan-1", CommandLimits.MaxMessageBody + 1, TimeSpan.FromHours(1), ProblemKind.TooLarge, "larger than 65536 bytes" },
        { "ghost-1", 16, TimeSpan.FromHours(1), ProblemKind.NotFound, "Device 'ghost-1' was not found" },
    };

    [Theory]
    [MemberData(nameof(MessageRefusals))]
    public async Task A_cloud_to_device_message_that_breaks_a_rule_is_refused_and_not_queued(string deviceId, int bodyLength, TimeSpan ttl, ProblemKind kind, string message)
    {
        var queue = _host.Services.GetRequiredService<CloudToDeviceQueue>();

        var outcome = await queue.EnqueueAsync(App, deviceId, new byte[bodyLength], [], ttl, null, null, "text/plain", "utf-8", CancellationToken.None);

        Assert.Equal(kind, outcome.Problem!.Kind);
        Assert.Contains(message, outcome.Problem.Message, StringComparison.Ordinal);
        Assert.Empty(await queue.PendingAsync(App, deviceId, 0, 100, CancellationToken.None));
    }

    [Fact]
    public async Task A_device_queue_takes_fifty_messages_within_the_limits_and_refuses_the_next_with_IoT_Hubs_code()
    {
        var queue = _host.Services.GetRequiredService<CloudToDeviceQueue>();
        for (var i = 0; i < CommandLimits.MaxQueuedMessages; i++)
        {
            var ttl = i % 2 == 0 ? TimeSpan.FromMinutes(1) : TimeSpan.FromHours(48);
            Assert.True((await queue.EnqueueAsync(App, "fan-1", new byte[i == 0 ? CommandLimits.MaxMessageBody : 1], [], ttl, null, null, null, null, CancellationToken.None)).Succeeded);
        }

        var full = await queue.EnqueueAsync(App, "fan-1", [1], [], TimeSpan.FromHours(1), null, null, null, null, CancellationToken.None);

        Assert.Equal((ProblemKind.LimitReached, "DeviceMaximumQueueDepthExceeded"), (full.Problem!.Kind, full.Problem.Code));
        Assert.Equal(CommandLimits.MaxQueuedMessages, (await queue.PendingAsync(App, "fan-1", 0, 100, CancellationToken.None)).Count);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    /// <summary>The device end of a direct method: answers as told and records each call that reached it.</summary>
    private sealed class RecordingInvoker : IDirectMethodInvoker
    {
        private readonly ConcurrentQueue<(string Method, TimeSpan ResponseTimeout)> _calls = new();

        public DirectMethodResult Answer { get; set; } = new(DirectMethodStatus.NotConnected);

        public IReadOnlyList<(string Method, TimeSpan ResponseTimeout)> Calls => _calls.ToList();

        public Task<DirectMethodResult> InvokeAsync(
            string applicationId, string deviceId, string? moduleId, string methodName, JsonNode? payload,
            TimeSpan connectTimeout, TimeSpan responseTimeout, CancellationToken cancellationToken)
        {
            _calls.Enqueue((methodName, responseTimeout));
            return Task.FromResult(Answer);
        }
    }
}
