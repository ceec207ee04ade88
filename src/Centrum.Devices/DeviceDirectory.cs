using System.Text.Json;
using Centrum.Storage;
using Microsoft.EntityFrameworkCore;

namespace Centrum.Devices;

/// <summary>The devices area's answers to other areas (<see cref="IDeviceDirectory"/>); reads only, every query scoped to its application.</summary>
internal sealed class DeviceDirectory(IDbContextFactory<CentrumDbContext> contexts) : IDeviceDirectory
{
    public async ValueTask<bool> ExistsAsync(string applicationId, string deviceId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Devices.AnyAsync(d => d.ApplicationId == applicationId && d.Id == deviceId, cancellationToken);
    }

    public async ValueTask<bool> ModuleExistsAsync(string applicationId, string deviceId, string moduleId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Modules.AnyAsync(m => m.ApplicationId == applicationId && m.DeviceId == deviceId && m.Id == moduleId, cancellationToken);
    }

    public async ValueTask<string?> TemplateOfAsync(string applicationId, string deviceId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Devices.AsNoTracking().Where(d => d.ApplicationId == applicationId && d.Id == deviceId)
            .Select(d => d.TemplateId).FirstOrDefaultAsync(cancellationToken);
    }

    public async ValueTask<bool> AnyUsingTemplateAsync(string applicationId, string templateId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Devices.AnyAsync(d => d.ApplicationId == applicationId && d.TemplateId == templateId, cancellationToken);
    }

    public async ValueTask<bool> AnyInOrganizationAsync(string applicationId, string organizationId, CancellationToken cancellationToken)
    {
        // Organizations are stored as a JSON array of ids; the quoted id matches one element exactly.
        var quoted = JsonSerializer.Serialize(organizationId);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Devices.AnyAsync(d => d.ApplicationId == applicationId && d.Organizations.Contains(quoted), cancellationToken);
    }
}
