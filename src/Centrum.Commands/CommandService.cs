using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Centrum.Commands.Internal;
using Centrum.Devices;
using Centrum.Events;
using Centrum.Outcomes;
using Centrum.Storage;
using Centrum.Storage.Entities;
using Centrum.Storage.Writing;
using Centrum.Templates;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Centrum.Commands;

/// <summary>A command execution as IoT Central reports it (<c>DeviceCommand</c>).</summary>
public sealed record CommandExecution(
    string Id, int ConnectionTimeout, int ResponseTimeout, JsonNode? Request, JsonNode? Response, int? ResponseCode, DateTimeOffset Time);

/// <summary>
/// A command as a caller asks for it. Timeouts left out take IoT Central's defaults (no connection wait, a 30 s
/// response timeout); <see cref="QueueIfOffline"/> turns an unreachable device into an offline command.
/// </summary>
public sealed record CommandCall(
    string Name, JsonNode? Request, string? ModuleId = null, string? Component = null,
    TimeSpan? ConnectionTimeout = null, TimeSpan? ResponseTimeout = null, bool QueueIfOffline = false);

internal enum CommandStatus
{
    Completed,
    DeviceNotFound,
    NotConnected,
    Timeout,
    Queued,
    QueueFull,
}

/// <summary>
/// Runs commands: a direct method on the device's connection (root <c>name</c>, component <c>component*name</c>), or,
/// when asked to queue while the device is offline, a cloud-to-device message carrying <c>method-name</c> as IoT
/// Central's offline commands do. Every execution is kept for the command history.
/// </summary>
public sealed class CommandService(
    IDbContextFactory<CentrumDbContext> contexts, IDeviceDirectory devices, DeviceModels models, IDirectMethodInvoker invoker, CloudToDeviceQueue queue, MetadataWriter writer, TimeProvider time, ILogger<CommandService> logger)
{
    /// <summary>
    /// Runs a command on a device, after the rules every caller (REST, jobs, pages) is held to: a valid name, timeouts
    /// within IoT Central's bounds, a command (and component) the device's template declares with a request that fits
    /// its schema, and a request within IoT Hub's direct method payload limit. A refused command reaches no device and
    /// leaves no history; an unreachable or silent device is a problem with the execution kept in the history.
    /// </summary>
    public async Task<Outcome<CommandExecution>> RunAsync(string applicationId, string deviceId, CommandCall call, CancellationToken cancellationToken)
    {
        if (Check(call) is { } invalid)
        {
            return invalid;
        }

        // Asked of the devices area; this was a separate read before as well. The command record's foreign key to its
        // device keeps history from outliving a device deleted while the command runs.
        if (!await devices.ExistsAsync(applicationId, deviceId, cancellationToken))
        {
            return Problem.NotFound($"Device '{deviceId}' was not found.");
        }

        // A module's commands are declared by the module's capability model in its IoT Edge device's template.
        if (await models.ForIdentityAsync(applicationId, deviceId, call.ModuleId, cancellationToken) is { } template
            && DeviceModels.CheckCommand(template, call.Component, call.Name, call.Request) is { } undeclared)
        {
            return undeclared;
        }

        var (status, execution) = await RunCheckedAsync(
            applicationId, deviceId, call.ModuleId, call.Component, call.Name, call.Request?.DeepClone(),
            call.ConnectionTimeout ?? TimeSpan.Zero, call.ResponseTimeout ?? CommandLimits.DefaultResponseTimeout, call.QueueIfOffline, cancellationToken);
        return status switch
        {
            CommandStatus.Completed or CommandStatus.Queued => execution!,
            CommandStatus.NotConnected => new Problem(ProblemKind.NotFound, "DeviceNotOnline", $"Device '{deviceId}' is not connected or does not listen for commands."),
            CommandStatus.QueueFull => CloudToDeviceQueue.QueueFull(deviceId),
            _ => new Problem(ProblemKind.Timeout, "GatewayTimeout", $"Device '{deviceId}' did not answer within {execution!.ResponseTimeout} seconds."),
        };
    }

    /// <summary>The rules of the call itself, before anything is looked up.</summary>
    internal static Problem? Check(CommandCall call)
    {
        if (!CommandLimits.IsValidMethodName(call.Name) || (call.Component is not null && !CommandLimits.IsValidMethodName(call.Component)))
        {
            return Problem.Invalid($"Command name '{call.Name}' is not valid.");
        }

        if (call.ConnectionTimeout is { } connection && (connection < TimeSpan.Zero || connection > CommandLimits.MaxConnectionTimeout))
        {
            return Problem.Invalid($"connectionTimeout must be whole seconds between 0 and {CommandLimits.MaxConnectionTimeout.TotalSeconds}.");
        }

        if (call.ResponseTimeout is { } response && (response < CommandLimits.MinResponseTimeout || response > CommandLimits.MaxResponseTimeout))
        {
            return Problem.Invalid(
                $"responseTimeout must be whole seconds between {CommandLimits.MinResponseTimeout.TotalSeconds} and {CommandLimits.MaxResponseTimeout.TotalSeconds}.");
        }

        if (Encoding.UTF8.GetByteCount(call.Request?.ToJsonString() ?? "null") > CommandLimits.MaxMethodPayload)
        {
            return Problem.TooLarge($"The command request is larger than {CommandLimits.MaxMethodPayload} bytes.");
        }

        return null;
    }

    private async Task<(CommandStatus Status, CommandExecution? Execution)> RunCheckedAsync(
        string applicationId, string deviceId, string? moduleId, string? component, string commandName, JsonNode? request,
        TimeSpan connectionTimeout, TimeSpan responseTimeout, bool queueIfOffline, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid().ToString();
        var started = time.GetUtcNow();
        var method = component is null ? commandName : $"{component}*{commandName}";
        using var span = CommandsTracing.Source.StartActivity("commands.run", ActivityKind.Client);
        span?.SetTag("centrum.application_id", applicationId);
        span?.SetTag("centrum.device_id", deviceId);
        span?.SetTag("centrum.command.name", method);
        span?.SetTag("centrum.command.id", id);
        Log.Sent(logger, applicationId, deviceId, method, id);

        var result = await invoker.InvokeAsync(applicationId, deviceId, moduleId, method, request, connectionTimeout, responseTimeout, cancellationToken);
        var status = result.Status switch
        {
            DirectMethodStatus.Answered => CommandStatus.Completed,
            DirectMethodStatus.Timeout => CommandStatus.Timeout,
            _ => CommandStatus.NotConnected,
        };

        if (status == CommandStatus.NotConnected && queueIfOffline)
        {
            var body = Encoding.UTF8.GetBytes(request?.ToJsonString() ?? "null");
            var enqueued = await queue.EnqueueAsync(applicationId, deviceId, body, [new("method-name", method)],
                CommandLimits.OfflineCommandTtl, id, null, "application/json", "utf-8", cancellationToken);
            status = enqueued.Succeeded ? CommandStatus.Queued
                : enqueued.Problem.Kind == ProblemKind.LimitReached ? CommandStatus.QueueFull
                : CommandStatus.NotConnected;
        }

        LogOutcome(applicationId, deviceId, method, id, status, result.ResponseCode, started, responseTimeout);
        span?.SetTag("centrum.command.status", status.ToString());

        // Every execution in the history carries a response code (IoT Central REST API 2022-07-31, Devices_GetComponentCommandHistory
        // example). A refused one carries the status IoT Hub answers a direct method with: 404 for DeviceNotOnline
        // (404103), 504 for a timeout (504101), 403 for a full queue (403004 DeviceMaximumQueueDepthExceeded)
        // (IoT Hub docs "Understand and invoke direct methods from IoT Hub", "Common error codes").
        int? responseCode = status switch
        {
            CommandStatus.Completed => result.ResponseCode,
            CommandStatus.Queued => 202,
            CommandStatus.NotConnected => 404,
            CommandStatus.Timeout => 504,
            CommandStatus.QueueFull => 403,
            _ => null,
        };
        var execution = new CommandExecution(id, (int)connectionTimeout.TotalSeconds, (int)responseTimeout.TotalSeconds, request, result.Payload, responseCode, started);
        await RecordAsync(applicationId, deviceId, moduleId, component, commandName, execution, status);
        return (status, execution);
    }

    private void LogOutcome(string applicationId, string deviceId, string method, string id, CommandStatus status, int? responseCode, DateTimeOffset started, TimeSpan responseTimeout)
    {
        switch (status)
        {
            case CommandStatus.Completed:
                Log.Answered(logger, applicationId, deviceId, method, id, responseCode, (long)(time.GetUtcNow() - started).TotalMilliseconds);
                break;
            case CommandStatus.Timeout:
                Log.TimedOut(logger, applicationId, deviceId, method, id, responseTimeout);
                break;
            case CommandStatus.Queued:
                Log.Queued(logger, applicationId, deviceId, method, id);
                break;
            case CommandStatus.QueueFull:
                Log.QueueFull(logger, applicationId, deviceId, method, id);
                break;
            default:
                Log.NotConnected(logger, applicationId, deviceId, method, id);
                break;
        }
    }

    /// <summary>Past executions of one command, newest first, paged by position.</summary>
    public async Task<IReadOnlyList<CommandExecution>> HistoryAsync(
        string applicationId, string deviceId, string? moduleId, string? component, string commandName, int skip, int take, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.CommandRecords.AsNoTracking()
            .Where(r => r.ApplicationId == applicationId && r.DeviceId == deviceId && r.ModuleId == (moduleId ?? "") && r.Component == (component ?? "") && r.CommandName == commandName)
            .ToListAsync(cancellationToken);
        return rows.OrderByDescending(r => r.Time).Skip(skip).Take(take)
            .Select(r => new CommandExecution(r.Id, r.ConnectionTimeout, r.ResponseTimeout, Parse(r.Request), Parse(r.Response), r.ResponseCode, r.Time))
            .ToList();
    }

    /// <summary>
    /// The call's event, the history record and the answer's event are written together, in one durable write that
    /// shares its commit with other devices' (<see cref="MetadataWriter"/>), once the device has answered.
    /// </summary>
    /// <remarks>
    /// Nothing is written before the method reaches the device. A command is a direct method: synchronous, answered
    /// within its timeout or failed, and never kept or retried by the hub (IoT Hub docs "Understand and invoke direct
    /// methods from IoT Hub"; "Cloud-to-device communications guidance": direct methods have no durability). The only
    /// claim made about a command is its answer to the caller, which IoT Central returns as the command's record
    /// (IoT Central REST API 2022-07-31, Devices_RunCommand returns the <c>DeviceCommand</c> with its response) and
    /// lists in the command history afterwards (Devices_GetCommandHistory). So the record is written once the outcome
    /// is known and the caller is answered only after it is committed: a crash before that commit loses a call whose
    /// caller was never answered (as IoT Hub's would be), and never an answer that was given. Writing the call first
    /// as well would cost a second synced commit on every command's critical path and record nothing a caller was told.
    /// The write is not cancelled with the caller: the device has run the command, so its history is kept even when
    /// the caller has gone.
    /// </remarks>
    private async Task RecordAsync(
        string applicationId, string deviceId, string? moduleId, string? component, string commandName, CommandExecution execution, CommandStatus status)
    {
        var record = new CommandRecordEntity
        {
            ApplicationId = applicationId,
            Id = execution.Id,
            DeviceId = deviceId,
            ModuleId = moduleId ?? "",
            Component = component ?? "",
            CommandName = commandName,
            ConnectionTimeout = execution.ConnectionTimeout,
            ResponseTimeout = execution.ResponseTimeout,
            Request = execution.Request?.ToJsonString(),
            Response = execution.Response?.ToJsonString(),
            ResponseCode = execution.ResponseCode,
            Time = execution.Time,
        };
        var called = new JsonObject { ["id"] = execution.Id, ["name"] = commandName, ["request"] = execution.Request?.DeepClone() };
        var answered = new JsonObject
        {
            ["id"] = execution.Id, ["name"] = commandName, ["status"] = status.ToString(),
            ["responseCode"] = execution.ResponseCode, ["response"] = execution.Response?.DeepClone(),
        };
        try
        {
            await writer.WriteAsync(applicationId, unit =>
            {
                unit.Db.CommandRecords.Add(record);
                unit.Append(DeviceEventKind.CommandCalled, deviceId, called, moduleId, component, execution.Time);
                unit.Append(DeviceEventKind.CommandAnswered, deviceId, answered, moduleId, component);
            }, CancellationToken.None);
        }
        catch (DbUpdateException)
        {
            // The device was deleted while its command ran: there is no history to keep (a foreign key violation on
            // either store; the transaction has rolled the events back with the record).
        }
    }

    private static JsonNode? Parse(string? json) => json is null ? null : JsonNode.Parse(json);
}
