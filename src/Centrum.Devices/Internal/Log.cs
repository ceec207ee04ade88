using Microsoft.Extensions.Logging;

namespace Centrum.Devices.Internal;

/// <summary>Device registry log events: ids 2000–2499. Keys, even protected, are never logged.</summary>
internal static partial class Log
{
    [LoggerMessage(2001, LogLevel.Information, "Device {DeviceId} created in application {ApplicationId}")]
    public static partial void Created(ILogger logger, string applicationId, string deviceId);

    [LoggerMessage(2002, LogLevel.Information, "Device {DeviceId} of application {ApplicationId} changed: {Changes}")]
    public static partial void Changed(ILogger logger, string applicationId, string deviceId, string changes);

    [LoggerMessage(2003, LogLevel.Information, "Device {DeviceId} of application {ApplicationId} deleted")]
    public static partial void Deleted(ILogger logger, string applicationId, string deviceId);

    [LoggerMessage(2004, LogLevel.Information, "Device {DeviceId} of application {ApplicationId} is disabled or unapproved; its connection is closed")]
    public static partial void Disabled(ILogger logger, string applicationId, string deviceId);

    [LoggerMessage(2005, LogLevel.Information, "Credentials of device {DeviceId} of application {ApplicationId} replaced ({Attestation}); its connection is closed")]
    public static partial void CredentialsChanged(ILogger logger, string applicationId, string deviceId, string attestation);

    [LoggerMessage(2006, LogLevel.Information, "Device {DeviceId} of application {ApplicationId} provisioned (new {Created}, enrollment group {EnrollmentGroupId}, model {ModelId})")]
    public static partial void Provisioned(ILogger logger, string applicationId, string deviceId, bool created, string? enrollmentGroupId, string? modelId);

    [LoggerMessage(2007, LogLevel.Information, "Module {ModuleId} of device {DeviceId} created in application {ApplicationId}")]
    public static partial void ModuleCreated(ILogger logger, string applicationId, string deviceId, string moduleId);

    [LoggerMessage(2008, LogLevel.Information, "Module {ModuleId} of device {DeviceId} of application {ApplicationId} updated (keys replaced {KeysReplaced})")]
    public static partial void ModuleUpdated(ILogger logger, string applicationId, string deviceId, string moduleId, bool keysReplaced);

    [LoggerMessage(2009, LogLevel.Information, "Module {ModuleId} of device {DeviceId} of application {ApplicationId} deleted")]
    public static partial void ModuleDeleted(ILogger logger, string applicationId, string deviceId, string moduleId);

    [LoggerMessage(2040, LogLevel.Information, "Relationship {RelationshipId} of application {ApplicationId} written: gateway {SourceId}, downstream device {TargetId} (new {Created})")]
    public static partial void RelationshipWritten(ILogger logger, string applicationId, string relationshipId, string sourceId, string targetId, bool created);

    [LoggerMessage(2041, LogLevel.Information, "Relationship {RelationshipId} of application {ApplicationId} between gateway {SourceId} and downstream device {TargetId} deleted")]
    public static partial void RelationshipDeleted(ILogger logger, string applicationId, string relationshipId, string sourceId, string targetId);

    [LoggerMessage(2042, LogLevel.Information, "An IoT Edge hub's scope call for {DeviceId}/{ModuleId} refused: {Reason}")]
    public static partial void ScopeRefused(ILogger logger, string deviceId, string? moduleId, string reason);

    [LoggerMessage(2050, LogLevel.Information, "File upload configuration of application {ApplicationId} written (account {Account}, container {Container}, created {Created})")]
    public static partial void FileUploadConfigured(ILogger logger, string applicationId, string account, string container, bool created);

    [LoggerMessage(2051, LogLevel.Information, "File upload configuration of application {ApplicationId} removed")]
    public static partial void FileUploadRemoved(ILogger logger, string applicationId);

    [LoggerMessage(2052, LogLevel.Debug, "Device {DeviceId} of application {ApplicationId} starts uploading blob {BlobName} (correlation {CorrelationId})")]
    public static partial void FileUploadStarted(ILogger logger, string applicationId, string deviceId, string blobName, string correlationId);

    [LoggerMessage(2053, LogLevel.Information, "Device {DeviceId} of application {ApplicationId} notified the upload of blob {BlobName}: success {IsSuccess}, status {StatusCode}")]
    public static partial void FileUploadCompleted(ILogger logger, string applicationId, string deviceId, string blobName, bool isSuccess, int statusCode);
}
