using System.Text.Json.Nodes;
using Centrum.Dashboards;
using Centrum.Devices;
using Centrum.Groups;
using Centrum.Outcomes;
using Centrum.Telemetry.Query;
using Centrum.Templates.Query;
using Centrum.Web.Authorization;

namespace Centrum.Web.Pages.Explorer;

/// <summary>The rows of a saved query, with the columns they show, in the order the query service answers them.</summary>
public sealed record SavedQueryResult(IReadOnlyList<string> Columns, IReadOnlyList<JsonObject> Rows);

/// <summary>
/// Runs a saved data-explorer query as the explorer runs its form: written in IoT Central's query language
/// (<see cref="ExplorerQuery"/>), prepared and run by <see cref="TemplateQueryService"/> (the service behind REST's
/// <c>POST /query</c>) over the template's devices within the caller's reach for reading device data, narrowed to the
/// group's members when the query names a group. Used by the <c>dataExplorer</c> tile.
/// </summary>
public sealed class SavedQueryRunner(WebCaller caller, TemplateQueryService queries, DeviceRegistry registry, DeviceGroupService groups)
{
    /// <summary>Group members read at most: the same bound as the explorer's (a hundred member pages).</summary>
    public const int MaxGroupDevices = 10_000;

    /// <summary>
    /// The query text a saved definition describes; <paramref name="duration"/>, when given, replaces a relative range
    /// (a tile's own <c>queryRange</c> governs what it shows, as in IoT Central), and an absolute range stays as saved.
    /// </summary>
    public static string Text(SavedQueryDefinition query, string? duration = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        var fields = (query.Fields ?? []).Select(f => new ExplorerField(f.Component, f.Name ?? "", ToAggregate(f.Aggregate))).ToList();
        return query.Duration is not null || query.From is null
            ? ExplorerQuery.Compose(query.Template ?? "", fields, query.Window, duration ?? query.Duration ?? "P1D", null, null, query.Top)
            : ExplorerQuery.Compose(query.Template ?? "", fields, query.Window, null, query.From, query.To, query.Top);
    }

    /// <summary>The saved aggregation as the query language's (<see cref="SavedQueryService.Aggregates"/>).</summary>
    public static Aggregate ToAggregate(string? aggregate) => aggregate switch
    {
        "avg" => Aggregate.Avg,
        "sum" => Aggregate.Sum,
        "min" => Aggregate.Min,
        "max" => Aggregate.Max,
        "count" => Aggregate.Count,
        _ => Aggregate.None,
    };

    /// <summary>The saved form of the query language's aggregation.</summary>
    public static string FromAggregate(Aggregate aggregate) => aggregate == Aggregate.None ? "none" : aggregate.ToString().ToLowerInvariant();

    /// <summary>
    /// Runs the query off the circuit's synchronization context (DuckDB.NET executes synchronously inside its async
    /// calls), so the page stays responsive while it runs.
    /// </summary>
    public async Task<Outcome<SavedQueryResult>> RunAsync(string applicationId, SavedQueryDefinition query, string? duration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (!await caller.HoldsAsync(ExplorerPagePermissions.Run))
        {
            return Problem.Forbidden("You may not query device data.");
        }

        var prepared = await queries.PrepareAsync(applicationId, Text(query, duration), cancellationToken);
        if (!prepared.Succeeded)
        {
            return prepared.Problem;
        }

        var reach = await caller.ReachAsync(ExplorerPagePermissions.Run, cancellationToken);
        IReadOnlyCollection<string> devices = await registry.IdsByTemplateAsync(applicationId, prepared.Value.Template, reach, cancellationToken);
        if (query.Group is { } groupId)
        {
            var members = new HashSet<string>(StringComparer.Ordinal);
            string? after = null;
            do
            {
                var page = await groups.MembersAsync(applicationId, groupId, reach, after, DeviceGroupService.MaxPageSize, cancellationToken);
                if (!page.Succeeded)
                {
                    return page.Problem;
                }

                members.UnionWith(page.Value.Devices.Select(d => d.Id));
                after = page.Value.ContinueAfter;
                if (members.Count > MaxGroupDevices)
                {
                    return Problem.Invalid($"The group has more than {MaxGroupDevices:N0} devices; query its template or a smaller group.");
                }
            }
            while (after is not null);

            devices = devices.Where(members.Contains).ToList();
        }

        var rows = await Task.Run(() => queries.RunAsync(applicationId, prepared.Value, devices, cancellationToken), CancellationToken.None);
        if (!rows.Succeeded)
        {
            return rows.Problem;
        }

        return new SavedQueryResult(Columns(prepared.Value, rows.Value), rows.Value);
    }

    /// <summary>The result's columns in the service's order: a row's keys, or the query's output names when no row came back.</summary>
    public static List<string> Columns(TelemetryQuery query, IReadOnlyList<JsonObject> rows)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count > 0)
        {
            return rows[0].Select(p => p.Key).ToList();
        }

        var names = query.Items.Select(i => i.OutputName).ToList();
        if (query.GroupWindow is not null && !query.Items.Any(i => i.Field.IsTimestamp))
        {
            names.Insert(0, "$ts");
        }

        return names;
    }
}
