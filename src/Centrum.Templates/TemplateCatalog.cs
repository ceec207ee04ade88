using Centrum.Storage;
using Microsoft.EntityFrameworkCore;

namespace Centrum.Templates;

/// <summary>The templates area's answers to other areas (<see cref="ITemplateCatalog"/>).</summary>
internal sealed class TemplateCatalog(IDbContextFactory<CentrumDbContext> contexts, DeviceTemplateService templates, DeviceModels models) : ITemplateCatalog
{
    public async ValueTask<bool> ExistsAsync(string applicationId, string templateId, CancellationToken cancellationToken) =>
        await templates.ExistsAsync(applicationId, templateId, cancellationToken);

    public async ValueTask<bool> IsEdgeAsync(string applicationId, string templateId, CancellationToken cancellationToken) =>
        await templates.GetAsync(applicationId, templateId, cancellationToken) is { IsEdge: true };

    public async ValueTask<string?> FindByModelIdAsync(string applicationId, string modelId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.DeviceTemplates.AsNoTracking().Where(t => t.ApplicationId == applicationId && t.ModelId == modelId)
            .Select(t => t.Id).FirstOrDefaultAsync(cancellationToken);
    }

    public void ForgetDevice(string applicationId, string deviceId) => models.Forget(applicationId, deviceId);
}
