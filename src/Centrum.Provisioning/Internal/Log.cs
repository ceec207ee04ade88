using Microsoft.Extensions.Logging;

namespace Centrum.Provisioning.Internal;

/// <summary>
/// Provisioning log events: ids 5500–5999. SAS tokens, group and device keys, and registration payloads are never
/// logged; certificates only by thumbprint.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(5501, LogLevel.Information, "Registration {RegistrationId} of application {ApplicationId} assigned ({Substatus}, enrollment group {EnrollmentGroupId})")]
    public static partial void Assigned(ILogger logger, string applicationId, string registrationId, string substatus, string? enrollmentGroupId);

    [LoggerMessage(5502, LogLevel.Warning, "Registration {RegistrationId} of application {ApplicationId} refused: {Reason}")]
    public static partial void Refused(ILogger logger, string applicationId, string registrationId, string reason);

    [LoggerMessage(5503, LogLevel.Information, "Registration {RegistrationId} of application {ApplicationId} answered disabled: {Reason}")]
    public static partial void Disabled(ILogger logger, string applicationId, string registrationId, string reason);

    [LoggerMessage(5504, LogLevel.Debug, "Registration request {RegistrationId} of application {ApplicationId} is malformed: {Reason}")]
    public static partial void Malformed(ILogger logger, string applicationId, string registrationId, string reason);

    [LoggerMessage(5505, LogLevel.Warning, "Provisioning requests of application {ApplicationId} exceed {RequestsPerSecond} a second; refused with 429")]
    public static partial void Throttled(ILogger logger, string applicationId, int requestsPerSecond);

    [LoggerMessage(5510, LogLevel.Information, "Enrollment group {GroupId} of application {ApplicationId} saved (enabled {Enabled}, attestation {AttestationType}); credentials revoked {Revoked}")]
    public static partial void GroupSaved(ILogger logger, string applicationId, string groupId, bool enabled, string attestationType, bool revoked);

    [LoggerMessage(5511, LogLevel.Information, "Enrollment group {GroupId} of application {ApplicationId} deleted; the connections it authenticated are closed")]
    public static partial void GroupDeleted(ILogger logger, string applicationId, string groupId);

    [LoggerMessage(5512, LogLevel.Warning, "Enrollment group {GroupId} of application {ApplicationId} refused a change: {Reason}")]
    public static partial void GroupRefused(ILogger logger, string applicationId, string groupId, string reason);

    [LoggerMessage(5513, LogLevel.Information, "Enrollment group {GroupId} of application {ApplicationId}: {Slot} signing certificate {Thumbprint} set (verified {Verified})")]
    public static partial void CertificateSet(ILogger logger, string applicationId, string groupId, string slot, string thumbprint, bool verified);

    [LoggerMessage(5514, LogLevel.Information, "Enrollment group {GroupId} of application {ApplicationId}: {Slot} signing certificate removed")]
    public static partial void CertificateRemoved(ILogger logger, string applicationId, string groupId, string slot);

    [LoggerMessage(5515, LogLevel.Information, "Enrollment group {GroupId} of application {ApplicationId}: {Slot} signing certificate verified")]
    public static partial void CertificateVerified(ILogger logger, string applicationId, string groupId, string slot);

    [LoggerMessage(5516, LogLevel.Warning, "Enrollment group {GroupId} of application {ApplicationId}: {Slot} signing certificate not verified: {Reason}")]
    public static partial void VerificationRefused(ILogger logger, string applicationId, string groupId, string slot, string reason);
}
