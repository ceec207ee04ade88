namespace Centrum.Server.Hosting;

/// <summary>Host log events: ids 100–199.</summary>
internal static partial class Log
{
    [LoggerMessage(101, LogLevel.Information,
        "Centrum is ready after {ElapsedMilliseconds} ms. MQTT (devices, DPS): {MqttEndpoints}. HTTPS (REST API, MQTT over WebSockets, sign-in): {HttpsEndpoints}. " +
        "Management (health, metrics, administration): {ManagementUrl}. Devices trust the server through the CA certificate at {CaCertificatePath}. " +
        "An API token for the default application: centrum token create --app default --id my-script --role admin (from a checkout: dotnet run --project src/Centrum.Server -- token create …).")]
    public static partial void Ready(ILogger logger, long elapsedMilliseconds, string mqttEndpoints, string httpsEndpoints, string managementUrl, string caCertificatePath);

    [LoggerMessage(102, LogLevel.Debug, "Start-up phase {Phase} took {ElapsedMilliseconds} ms")]
    public static partial void StartupPhase(ILogger logger, string phase, long elapsedMilliseconds);
}
