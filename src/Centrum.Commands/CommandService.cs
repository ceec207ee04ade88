using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Centrum.Commands.Internal;
using Centrum.Events;
using Centrum.Storage;
using Centrum.Storage.Entities;
using Centrum.Storage.Events;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Centrum.Commands;

/// <summary>A command execution as IoT Central reports it (<c>DeviceCommand</c>).</summary>
public sealed record CommandExecution(
    string Id, int ConnectionTimeout, int ResponseTimeout, JsonNode? Request, JsonNode? Response, int? ResponseCode, DateTimeOffset Time);

public enum CommandStatus
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
    IDbContextFactory<CentrumDbContext> contexts, IDirectMethodInvoker invoker, CloudToDeviceQueue queue, DeviceEventLog eventLog, TimeProvider time, ILogger<CommandService> logger)
{
    public async Task<(CommandStatus Status, CommandExecution? Execution)> RunAsync(
        string applicationId, string deviceId, string? moduleId, string? component, string commandName, JsonNode? request,
        TimeSpan connectionTimeout, TimeSpan responseTimeout, bool queueIfOffline, CancellationToken cancellationToken)
    {
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            if (!await db.Devices.AnyAsync(d => d.ApplicationId == applicationId && d.Id == deviceId, cancellationToken))
            {
                return (CommandStatus.DeviceNotFound, null);
            }
        }

        var id = Guid.NewGuid().ToString();
        var started = time.GetUtcNow();
        var method = component is null ? commandName : $"{component}*{commandName}";
        using var span = CommandsTracing.Source.StartActivity("commands.run", ActivityKind.Client);
        span?.SetTag("centrum.application_id", applicationId);
        span?.SetTag("centrum.device_id", deviceId);
        span?.SetTag("centrum.command.name", method);
        span?.SetTag("centrum.command.id", id);
        Log.Sent(logger, applicationId, deviceId, method, id);
        await AppendEventAsync(DeviceEventKind.CommandCalled, applicationId, deviceId, moduleId, component,
            new JsonObject { ["id"] = id, ["name"] = commandName, ["request"] = request?.DeepClone() }, cancellationToken);

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
            var (enqueued, _) = await queue.EnqueueAsync(applicationId, deviceId, body, [new("method-name", method)],
                CommandLimits.OfflineCommandTtl, id, null, "application/json", "utf-8", cancellationToken);
            status = enqueued == EnqueueStatus.Enqueued ? CommandStatus.Queued : CommandStatus.QueueFull;
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
        await RecordAsync(applicationId, deviceId, moduleId, component, commandName, execution, status, cancellationToken);
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

    /// <summary>The history record and the answer's event are written together.</summary>
    private async Task RecordAsync(
        string applicationId, string deviceId, string? moduleId, string? component, string commandName, CommandExecution execution, CommandStatus status,
        CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.CommandRecords.Add(new CommandRecordEntity
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
        });
        var data = new JsonObject
        {
            ["id"] = execution.Id, ["name"] = commandName, ["status"] = status.ToString(),
            ["responseCode"] = execution.ResponseCode, ["response"] = execution.Response?.DeepClone(),
        };
        await using var log = eventLog.Open(db, applicationId);
        log.Append(DeviceEventKind.CommandAnswered, deviceId, data, moduleId, component);
        try
        {
            await log.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // The device was deleted while its command ran: there is no history to keep (a foreign key violation on
            // either store; the log has rolled the event back with the record).
        }
    }

    private async Task AppendEventAsync(DeviceEventKind kind, string applicationId, string deviceId, string? moduleId, string? component, JsonObject data, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var log = eventLog.Open(db, applicationId);
        log.Append(kind, deviceId, data, moduleId, component);
        await log.CommitAsync(cancellationToken);
    }

    private static JsonNode? Parse(string? json) => json is null ? null : JsonNode.Parse(json);
}
