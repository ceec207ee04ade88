using Microsoft.Extensions.Logging;

namespace Centrum.Simulation.Internal;

/// <summary>Simulation log events: ids 11000–11499.</summary>
internal static partial class Log
{
    [LoggerMessage(11001, LogLevel.Debug, "Simulated device {DeviceId} of application {ApplicationId} started")]
    public static partial void Started(ILogger logger, string applicationId, string deviceId);

    [LoggerMessage(11002, LogLevel.Debug, "Simulated device {DeviceId} of application {ApplicationId} stopped")]
    public static partial void Stopped(ILogger logger, string applicationId, string deviceId);

    [LoggerMessage(11003, LogLevel.Debug, "Simulated device {DeviceId} of application {ApplicationId} connected")]
    public static partial void Connected(ILogger logger, string applicationId, string deviceId);

    [LoggerMessage(11004, LogLevel.Information, "Simulated device {DeviceId} of application {ApplicationId} could not connect ({Reason}); retrying in {RetryMilliseconds} ms")]
    public static partial void ConnectFailed(ILogger logger, string applicationId, string deviceId, string reason, long retryMilliseconds);

    [LoggerMessage(11005, LogLevel.Warning, "Simulated device {DeviceId} of application {ApplicationId} failed to connect {Attempts} times in a row ({Reason}); still retrying")]
    public static partial void StillFailing(ILogger logger, string applicationId, string deviceId, int attempts, string reason);

    [LoggerMessage(11006, LogLevel.Warning, "Application {ApplicationId} has more simulated devices than Centrum:Simulation:MaxDevicesPerApplication ({Budget}); {Skipped} are not run")]
    public static partial void OverBudget(ILogger logger, string applicationId, int budget, int skipped);

    [LoggerMessage(11007, LogLevel.Information, "Created {Count} simulated devices of template {TemplateId} in application {ApplicationId}")]
    public static partial void Created(ILogger logger, string applicationId, string templateId, int count);

    [LoggerMessage(11008, LogLevel.Information, "First start: the default application {ApplicationId} got the demo template {TemplateId} and {Count} simulated devices (Centrum:Simulation:Demo=false turns this off)")]
    public static partial void DemoCreated(ILogger logger, string applicationId, string templateId, int count);

    [LoggerMessage(11009, LogLevel.Warning, "The demo could not be created in application {ApplicationId}: {Reason}")]
    public static partial void DemoRefused(ILogger logger, string applicationId, string reason);

    [LoggerMessage(11010, LogLevel.Debug, "Simulated device {DeviceId} of application {ApplicationId} lost its connection; reconnecting")]
    public static partial void Disconnected(ILogger logger, string applicationId, string deviceId);

    [LoggerMessage(11011, LogLevel.Warning, "Simulated devices of application {ApplicationId} could not be listed; retrying at the next reconciliation")]
    public static partial void ReconcileFailed(ILogger logger, string applicationId, Exception exception);

    [LoggerMessage(11012, LogLevel.Warning, "The simulation supervisor could not follow the registry; it compares again at the next reconciliation")]
    public static partial void SupervisionFailed(ILogger logger, Exception exception);
}
