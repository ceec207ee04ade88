namespace Centrum.Server.Hosting;

/// <summary>Host log events: ids 100–199.</summary>
internal static partial class Log
{
    [LoggerMessage(101, LogLevel.Information, "Devices trust the server through the CA certificate at {CaCertificatePath}")]
    public static partial void CaCertificate(ILogger logger, string caCertificatePath);
}
