namespace Centrum.Storage.Ownership;

/// <summary>
/// The devices area's answer, inside another area's unit of work, to whether a module identity exists: a row that
/// belongs to a module (its twin) is committed only if the module is still there in the same transaction, so a
/// deletion of the module queued before it cannot leave the row behind.
/// </summary>
public interface IModulePresence
{
    Task<bool> ExistsAsync(CentrumDbContext db, string applicationId, string deviceId, string moduleId, CancellationToken cancellationToken);
}
