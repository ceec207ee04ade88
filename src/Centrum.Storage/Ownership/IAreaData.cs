namespace Centrum.Storage.Ownership;

/// <summary>
/// An area that keeps rows about devices or applications in tables it owns lets go of them when asked, inside the unit
/// of work of the deletion (the same <see cref="CentrumDbContext"/> and transaction), so a deletion is all or nothing
/// and no area deletes another's rows. The devices area asks on a device deletion, the identity area on an
/// application deletion and on a member's removal; each owning area registers one implementation.
/// </summary>
public interface IAreaData
{
    /// <summary>The area's name as docs/architecture.md lists it in the table ownership.</summary>
    string Area { get; }

    Task ReleaseDeviceAsync(CentrumDbContext db, string applicationId, string deviceId, CancellationToken cancellationToken);

    Task ReleaseApplicationAsync(CentrumDbContext db, string applicationId, CancellationToken cancellationToken);

    /// <summary>
    /// A module identity of an IoT Edge device was deleted (IoT Hub's "Modules - Delete Identity"): what the area keeps
    /// for that module alone (its twin, its MQTT session, its command history) goes, so a module created again under the
    /// same id starts clean. The devices area asks, in the deletion's unit of work. Most areas keep nothing per module.
    /// </summary>
    Task ReleaseModuleAsync(CentrumDbContext db, string applicationId, string deviceId, string moduleId, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// A member left the application (a user removed, an API token deleted): what the area keeps for that member alone
    /// goes. <paramref name="memberId"/> is the member as the identity area names its callers (<c>apiToken:…</c>,
    /// <c>user:…</c>, <c>principal:…</c>). Most areas keep nothing per member, hence the default.
    /// </summary>
    Task ReleaseMemberAsync(CentrumDbContext db, string applicationId, string memberId, CancellationToken cancellationToken) => Task.CompletedTask;
}
