using Centrum.Storage;
using Centrum.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace Centrum.IntegrationTests.Architecture.Fixtures;

/// <summary>
/// Never run: code that writes and reads entities it does not own in each way <see cref="OwnershipScanner"/> must see,
/// including from a lambda and from async state machines, so its test shows the scanner finds them.
/// </summary>
public sealed class ForeignWriter(IDbContextFactory<CentrumDbContext> contexts)
{
    /// <summary>A new row and a setter: writes.</summary>
    public static DeviceEntity NewDevice() => new() { ApplicationId = "a", Id = "d", PrimaryKeyProtected = "-", SecondaryKeyProtected = "-", ETag = "e" };

    /// <summary>A DbSet's Add inside an async method: writes (the state machine's MoveNext).</summary>
    public async Task AddAsync(DeviceEntity device)
    {
        await using var db = await contexts.CreateDbContextAsync();
        db.Devices.Add(device);
        await db.SaveChangesAsync();
    }

    /// <summary>A bulk delete inside a lambda handed elsewhere: writes.</summary>
    public static Func<Task<int>> DeleteLater(CentrumDbContext db) => () => db.Twins.Where(t => t.DeviceId == "d").ExecuteDeleteAsync();

    /// <summary>A bulk update through the context's generic Set: writes.</summary>
    public static Task<int> Rename(CentrumDbContext db) =>
        db.Set<DeviceTemplateEntity>().Where(t => t.Id == "t").ExecuteUpdateAsync(s => s.SetProperty(t => t.DisplayName, "x"));

    /// <summary>The context's Entry: writes (a change tracked by hand).</summary>
    public static void Touch(CentrumDbContext db, CommandRecordEntity record) => db.Entry(record).State = EntityState.Modified;

    /// <summary>A query and a getter: reads.</summary>
    public async Task<string?> ReadAsync()
    {
        await using var db = await contexts.CreateDbContextAsync();
        var group = await db.EnrollmentGroups.FirstOrDefaultAsync(g => g.Enabled);
        return group?.DisplayName;
    }

    /// <summary>A write through a type parameter: the entity is decided by the caller, so it is reported as nobody's.</summary>
    public static void AddAny<T>(CentrumDbContext db, T row)
        where T : class => db.Set<T>().Add(row);

    /// <summary>The context's untyped Add: reported as nobody's.</summary>
    public static void AddUntyped(CentrumDbContext db, object row) => db.Add(row);
}
