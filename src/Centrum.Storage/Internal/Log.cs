using Microsoft.Extensions.Logging;

namespace Centrum.Storage.Internal;

/// <summary>Metadata store log events: ids 12000–12099. Changes are payload and never logged; applications and counts are.</summary>
internal static partial class Log
{
    [LoggerMessage(12001, LogLevel.Debug, "A group commit of {Count} metadata writes failed; it is split in halves and each half is tried again")]
    public static partial void BatchSplit(ILogger logger, Exception exception, int count);

    [LoggerMessage(12002, LogLevel.Warning, "A metadata write of application {ApplicationId} was refused by the store; its caller was told and nothing of it was kept")]
    public static partial void WriteRefused(ILogger logger, Exception exception, string applicationId);

    [LoggerMessage(12003, LogLevel.Error, "A metadata write of application {ApplicationId} could not be committed; its caller was told and nothing of it was kept")]
    public static partial void WriteFailed(ILogger logger, Exception exception, string applicationId);

    [LoggerMessage(12004, LogLevel.Warning, "The metadata writer stopped with {Count} writes not committed; their callers were told")]
    public static partial void StoppedWithWrites(ILogger logger, int count);
}
