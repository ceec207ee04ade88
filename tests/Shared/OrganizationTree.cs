using System.Collections.Concurrent;
using Centrum.Organizations;

namespace Centrum.Testing;

/// <summary>The identity area's organizations as other areas see them: a tree the test builds, per application.</summary>
internal sealed class OrganizationTree : IOrganizationCatalog
{
    private readonly ConcurrentDictionary<(string Application, string Organization), string?> _parents = new();

    public void Add(string applicationId, string id, string? parent = null) => _parents[(applicationId, id)] = parent;

    public ValueTask<IReadOnlyList<string>> UnknownAsync(string applicationId, IReadOnlyCollection<string> organizationIds, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<string>>(organizationIds.Where(o => !_parents.ContainsKey((applicationId, o))).ToList());

    public ValueTask<IReadOnlySet<string>> SubtreeAsync(string applicationId, IReadOnlyCollection<string> roots, CancellationToken cancellationToken)
    {
        var reached = roots.Where(r => _parents.ContainsKey((applicationId, r))).ToHashSet(StringComparer.Ordinal);
        for (var grown = true; grown;)
        {
            grown = false;
            foreach (var ((application, id), parent) in _parents)
            {
                if (application == applicationId && parent is not null && reached.Contains(parent) && reached.Add(id))
                {
                    grown = true;
                }
            }
        }

        return ValueTask.FromResult<IReadOnlySet<string>>(reached);
    }
}
