using System.Globalization;
using System.Text.Json;
using Centrum.Dashboards;
using Centrum.Devices;
using Centrum.Groups;
using Centrum.Organizations;
using Centrum.Outcomes;
using Centrum.Telemetry.Query;
using Centrum.Templates;

namespace Centrum.Web.Pages.Dashboards;

/// <summary>A tile's capability and the aggregation it names (IoT Central's <c>CapabilityAggregation</c>).</summary>
public sealed record TileCapability(string Capability, string Aggregate);

/// <summary>One device's newest value of one capability.</summary>
public sealed record TileValue(string DeviceId, string Capability, DateTimeOffset Time, string Value);

/// <summary>
/// Reads what a tile shows through the same area services REST's reads use, with the viewer's reach: a group's devices
/// through <see cref="DeviceGroupService.MembersAsync"/> (reach of REST's group members read), telemetry through the
/// query service behind <c>POST /api/query</c> over the devices its reach allows (as REST hands it
/// <see cref="DeviceRegistry.IdsByTemplateAsync"/>). A tile therefore never shows a device its viewer could not read
/// through REST, whoever made the dashboard.
/// </summary>
internal sealed class TileReader(
    string applicationId, DeviceGroupService groups, DeviceRegistry registry, DeviceTemplateService templates, QueryService queries, TimeProvider time,
    OrganizationReach members, OrganizationReach data)
{
    /// <summary>
    /// Devices one tile reads: IoT Central's tile names at most 100 devices, and a group tile reads its group's first
    /// pages up to this many, so one refresh of a tile costs a bounded read.
    /// </summary>
    public const int MaxDevices = 1000;

    /// <summary>
    /// Devices a last-known-value tile shows, each read by one query per capability: a tile a few cells in size shows
    /// no more, and the bound keeps a refresh's cost fixed whatever the group's size.
    /// </summary>
    public const int MaxValueDevices = 20;

    /// <summary>Points a line chart reads per refresh: the live chart keeps as many (LiveChart.MaxPoints).</summary>
    public const int MaxPoints = Devices.LiveChart.MaxPoints;

    /// <summary>The devices of the tile's group (narrowed to the tile's <c>devices</c> when it names some) that the viewer may read.</summary>
    public async Task<Outcome<IReadOnlyList<Device>>> DevicesAsync(Tile tile, CancellationToken cancellationToken)
    {
        var named = Strings(tile, "devices");
        if (Text(tile, "group") is not { } groupId)
        {
            return Problem.Invalid("The tile names no device group.");
        }

        var found = new List<Device>();
        string? after = null;
        do
        {
            var page = await groups.MembersAsync(applicationId, groupId, members, after, DeviceGroupService.MaxPageSize, cancellationToken);
            if (!page.Succeeded)
            {
                return page.Problem;
            }

            found.AddRange(page.Value.Devices.Where(d => named.Count == 0 || named.Contains(d.Id)));
            after = page.Value.ContinueAfter;
        }
        while (after is not null && found.Count < MaxDevices);

        return found.Take(MaxDevices).ToList();
    }

    /// <summary>The number of devices in the tile's group within reach, or the application's devices within reach for a tile without a group.</summary>
    public async Task<Outcome<string>> CountAsync(Tile tile, CancellationToken cancellationToken)
    {
        if (Text(tile, "group") is null)
        {
            var counts = await registry.CountAsync(applicationId, members, cancellationToken);
            return counts.Total.ToString(CultureInfo.InvariantCulture);
        }

        var devices = await DevicesAsync(tile, cancellationToken);
        return devices.Succeeded
            ? devices.Value.Count >= MaxDevices ? $"{MaxDevices}+" : devices.Value.Count.ToString(CultureInfo.InvariantCulture)
            : devices.Problem;
    }

    /// <summary>Each device's newest value of each of the tile's capabilities, devices in id order.</summary>
    public async Task<Outcome<IReadOnlyList<TileValue>>> LatestAsync(Tile tile, CancellationToken cancellationToken)
    {
        var devices = await DevicesAsync(tile, cancellationToken);
        if (!devices.Succeeded)
        {
            return devices.Problem;
        }

        var values = new List<TileValue>();
        foreach (var (template, ids) in await ReadableAsync(devices.Value, cancellationToken))
        {
            foreach (var capability in Capabilities(tile))
            {
                if (Field(template, capability.Capability) is not { } field)
                {
                    continue;
                }

                foreach (var id in ids.Order(StringComparer.Ordinal).Take(MaxValueDevices))
                {
                    var query = new TelemetryQuery(
                        1, [new SelectItem(Id, Aggregate.None, null), new SelectItem(Timestamp, Aggregate.None, null), new SelectItem(field, Aggregate.None, null)],
                        template.Id, new CompareCondition(Id, "=", new QueryLiteral(id)), null, new QueryOrder(Timestamp, Descending: true));
                    var rows = await queries.ExecuteAsync(applicationId, query, [id], time.GetUtcNow(), cancellationToken);
                    if (rows.Count > 0 && rows[0][field.Text] is { } value && rows[0]["$ts"] is { } ts)
                    {
                        values.Add(new TileValue(id, capability.Capability, DateTimeOffset.Parse(ts.GetValue<string>(), CultureInfo.InvariantCulture), ValueText(value)));
                    }
                }
            }
        }

        return values;
    }

    /// <summary>
    /// The numeric points of one capability over the tile's devices within the tile's time range, newest
    /// <see cref="MaxPoints"/>, oldest first.
    /// </summary>
    public async Task<Outcome<IReadOnlyList<(DateTimeOffset Time, double Value)>>> PointsAsync(Tile tile, TileCapability capability, CancellationToken cancellationToken)
    {
        var devices = await DevicesAsync(tile, cancellationToken);
        if (!devices.Succeeded)
        {
            return devices.Problem;
        }

        var window = Window(tile);
        var points = new List<(DateTimeOffset Time, double Value)>();
        foreach (var (template, ids) in await ReadableAsync(devices.Value, cancellationToken))
        {
            if (Field(template, capability.Capability) is not { } field)
            {
                continue;
            }

            var query = new TelemetryQuery(
                MaxPoints, [new SelectItem(Timestamp, Aggregate.None, null), new SelectItem(field, Aggregate.None, null)],
                template.Id, new WindowCondition(window, null, null), null, new QueryOrder(Timestamp, Descending: true));
            foreach (var row in await queries.ExecuteAsync(applicationId, query, ids, time.GetUtcNow(), cancellationToken))
            {
                if (row[field.Text] is { } value && value.GetValueKind() == JsonValueKind.Number && row["$ts"] is { } ts)
                {
                    points.Add((DateTimeOffset.Parse(ts.GetValue<string>(), CultureInfo.InvariantCulture), value.GetValue<double>()));
                }
            }
        }

        return points.OrderBy(p => p.Time).TakeLast(MaxPoints).ToList();
    }

    /// <summary>The tile's capabilities, as its configuration names them.</summary>
    public static IReadOnlyList<TileCapability> Capabilities(Tile tile)
    {
        ArgumentNullException.ThrowIfNull(tile);
        if (!tile.Configuration.TryGetProperty("capabilities", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        return list.EnumerateArray()
            .Where(c => c.ValueKind == JsonValueKind.Object)
            .Select(c => new TileCapability(
                c.TryGetProperty("capability", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString()! : "",
                c.TryGetProperty("aggregateFunction", out var aggregate) && aggregate.ValueKind == JsonValueKind.String ? aggregate.GetString()! : "avg"))
            .Where(c => c.Capability.Length > 0)
            .ToList();
    }

    /// <summary>A string member of the tile's configuration, or null.</summary>
    public static string? Text(Tile tile, string member)
    {
        ArgumentNullException.ThrowIfNull(tile);
        return tile.Configuration.TryGetProperty(member, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;
    }

    private static HashSet<string> Strings(Tile tile, string member) =>
        tile.Configuration.TryGetProperty(member, out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!).ToHashSet(StringComparer.Ordinal)
            : [];

    /// <summary>
    /// The tile's time range (<c>queryRange.duration</c>, one of IoT Central's ISO 8601 durations), or 30 minutes, the
    /// shortest it offers, for a count range or none.
    /// </summary>
    private static TimeSpan Window(Tile tile) =>
        tile.Configuration.TryGetProperty("queryRange", out var range) && range.ValueKind == JsonValueKind.Object
            && range.TryGetProperty("duration", out var duration) && duration.ValueKind == JsonValueKind.String
            ? duration.GetString() switch
            {
                "PT1H" => TimeSpan.FromHours(1),
                "PT12H" => TimeSpan.FromHours(12),
                "P1D" => TimeSpan.FromDays(1),
                "P1W" => TimeSpan.FromDays(7),
                "P30D" => TimeSpan.FromDays(30),
                _ => TimeSpan.FromMinutes(30),
            }
            : TimeSpan.FromMinutes(30);

    /// <summary>The devices grouped by template, each narrowed to those the viewer may read the data of (REST's <c>POST /api/query</c> reach).</summary>
    private async Task<List<(DeviceTemplate Template, List<string> Ids)>> ReadableAsync(IReadOnlyList<Device> devices, CancellationToken cancellationToken)
    {
        var readable = new List<(DeviceTemplate, List<string>)>();
        foreach (var byTemplate in devices.Where(d => d.Template is not null).GroupBy(d => d.Template!, StringComparer.Ordinal))
        {
            if (await templates.GetAsync(applicationId, byTemplate.Key, cancellationToken) is not { } template)
            {
                continue;
            }

            var allowed = (await registry.IdsByTemplateAsync(applicationId, byTemplate.Key, data, cancellationToken)).ToHashSet(StringComparer.Ordinal);
            var ids = byTemplate.Select(d => d.Id).Where(allowed.Contains).ToList();
            if (ids.Count > 0)
            {
                readable.Add((template, ids));
            }
        }

        return readable;
    }

    /// <summary>The query field of a capability the template declares as telemetry (<c>name</c> or <c>component.name</c>), or null.</summary>
    private static QueryField? Field(DeviceTemplate template, string capability)
    {
        var dot = capability.IndexOf('.', StringComparison.Ordinal);
        var component = dot < 0 ? null : capability[..dot];
        var name = dot < 0 ? capability : capability[(dot + 1)..];
        return DeviceModels.Telemetry(template.Model, component, name) is null ? null : new QueryField(component, name, 0);
    }

    private static readonly QueryField Id = new(null, "$id", 0);

    private static readonly QueryField Timestamp = new(null, "$ts", 0);

    private static string ValueText(System.Text.Json.Nodes.JsonNode value) =>
        value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.Number => value.GetValue<double>().ToString("0.###", CultureInfo.InvariantCulture),
            _ => value.ToJsonString(),
        };
}
