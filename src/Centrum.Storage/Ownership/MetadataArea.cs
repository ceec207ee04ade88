using System.Reflection;

namespace Centrum.Storage.Ownership;

/// <summary>
/// An area that owns tables of the metadata store: its assembly holds the <c>IEntityTypeConfiguration&lt;T&gt;</c> of each
/// entity it owns (and so is the only area that may write it) and the <see cref="IAreaData"/> that lets go of its rows.
/// Centrum.Storage cannot reference the areas, so the host registers them (<see cref="MetadataAreaServiceCollectionExtensions.AddMetadataArea"/>)
/// and <see cref="CentrumDbContext"/> applies their configurations when it builds its model.
/// </summary>
public sealed record MetadataArea(Assembly Assembly);
