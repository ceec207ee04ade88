using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Centrum.Storage.Ownership;

/// <summary>
/// EF Core caches a built model per context type (EF Core documentation, "Model caching": the default key is the
/// context type), but <see cref="CentrumDbContext"/>'s model depends on the areas registered in the services it is
/// given. Keyed by those areas too, a context composed with other areas (a test, a tool) builds its own model instead
/// of receiving whichever the process happened to build first.
/// </summary>
internal sealed class AreaModelCacheKeyFactory : IModelCacheKeyFactory
{
    public object Create(DbContext context, bool designTime) =>
        (context.GetType(), designTime, string.Join(";", RegisteredAreas(context).Select(a => a.FullName)));

    /// <summary>The areas registered in the application services the context was given, in a stable order, Storage not among them.</summary>
    public static List<Assembly> RegisteredAreas(DbContext context) =>
        (context.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.ApplicationServiceProvider?.GetService<IEnumerable<MetadataArea>>() ?? [])
        .Select(a => a.Assembly)
        .Where(a => a != typeof(CentrumDbContext).Assembly)
        .Distinct()
        .OrderBy(a => a.GetName().Name, StringComparer.Ordinal)
        .ToList();
}
