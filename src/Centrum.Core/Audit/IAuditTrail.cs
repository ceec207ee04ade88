namespace Centrum.Audit;

/// <summary>
/// An action the platform took on its own, with nobody's request behind it (a scheduled job starting a run), as the
/// audit log records it: <paramref name="ActorType"/> is <c>system</c>-like and <paramref name="ActorId"/> names what
/// acted (the schedule); <paramref name="Outcome"/> is an HTTP-like status, as REST entries carry (200 done, 400 refused).
/// </summary>
public sealed record AuditTrailEntry(
    string Action,
    string ActorType,
    string ActorId,
    string ResourceType,
    string? ResourceId,
    string? ResourceDisplayName,
    int Outcome,
    string Method = "",
    string Path = "");

/// <summary>
/// How an area records what it did in the application's audit log without knowing the identity area, which owns the
/// log. Implemented by the identity area's audit log.
/// </summary>
public interface IAuditTrail
{
    Task RecordAsync(string applicationId, AuditTrailEntry entry, CancellationToken cancellationToken);
}
