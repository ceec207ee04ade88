using Microsoft.Extensions.Logging;

namespace Centrum.Export.Destinations.Internal;

/// <summary>
/// Export destination log events: ids 4500–4599 of the export area's 4000–4999. Connection strings, tokens,
/// passwords, secret headers and payloads are never logged, nor webhook paths and queries, which often hold a token.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(4501, LogLevel.Debug, "Export {ExportId} fetched an OAuth token from {TokenEndpoint}, valid for {Lifetime}")]
    public static partial void TokenFetched(ILogger logger, string exportId, string tokenEndpoint, TimeSpan? lifetime);

    [LoggerMessage(4502, LogLevel.Information, "Webhook {Endpoint} of export {ExportId} refused the OAuth token (401); fetching a new one")]
    public static partial void TokenRefused(ILogger logger, string exportId, string endpoint);

    [LoggerMessage(4503, LogLevel.Information, "Export {ExportId} created blob container {Container}")]
    public static partial void ContainerCreated(ILogger logger, string exportId, string container);

    [LoggerMessage(4504, LogLevel.Information, "Export {ExportId} connected to NATS at {Server}")]
    public static partial void NatsConnected(ILogger logger, string exportId, string server);
}
