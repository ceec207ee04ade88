using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Dashboards;
using Centrum.Devices;
using Centrum.Groups;
using Centrum.Organizations;
using Centrum.Outcomes;
using Centrum.Telemetry.Query;
using Centrum.Templates;
using Centrum.Templates.Query;
using Centrum.Templates.Views;
using Centrum.Web.Devices;

namespace Centrum.Web.Pages.Dashboards;

/// <summary>A tile's capability and the aggregation it names (IoT Central's <c>CapabilityAggregation</c>).</summary>
public sealed record TileCapability(string Capability, string Aggregate)
{
    /// <summary>The component part of <c>component.name</c>, or null.</summary>
    public string? Component => Capability.IndexOf('.', StringComparison.Ordinal) is var dot and >= 0 ? Capability[..dot] : null;

    /// <summary>The name part of <c>component.name</c>.</summary>
    public string Name => Capability.IndexOf('.', StringComparison.Ordinal) is var dot and >= 0 ? Capability[(dot + 1)..] : Capability;
}

/// <summary>One device's newest value of one capability.</summary>
public sealed record TileValue(string DeviceId, string Capability, DateTimeOffset Time, string Value);

/// <summary>One device's value of one capability at one time, as the device sent it (a string, a number, a geopoint).</summary>
public sealed record TileSample(string DeviceId, string Capability, DateTimeOffset Time, JsonNode Value);

/// <summary>
/// A line chart's buckets of one capability, oldest first, each at its start: read from <paramref name="From"/> (a bucket's
/// start, or the start of the tile's range) up to <paramref name="Now"/>.
/// </summary>
public sealed record TileBuckets(DateTimeOffset From, DateTimeOffset Now, TimeSpan Range, TimeSpan Resolution, IReadOnlyList<(DateTimeOffset Time, double Value)> Values);

/// <summary>One device's aggregate of one capability over the tile's range.</summary>
public sealed record TileAggregate(string DeviceId, string Capability, double Value);

/// <summary>A KPI: the aggregate over the tile's range and over the range before it (null where no value fell in it).</summary>
public sealed record TileKpi(string Capability, string Aggregate, double? Value, double? Previous, string? Unit);

/// <summary>One device's property value (reported, desired or cloud) and when it last changed.</summary>
public sealed record TileProperty(string DeviceId, string Capability, JsonNode? Value, DateTimeOffset? Time);

/// <summary>A command tile's device and command, and whether the viewer may run it on that device.</summary>
public sealed record TileCommand(string DeviceId, CommandView Command, bool MayRun);

/// <summary>
/// Reads what a tile shows through the same area services REST's reads use, with the viewer's reach: a group's devices
/// through <see cref="DeviceGroupService.MembersAsync"/> (reach of REST's group members read), telemetry through
/// <see cref="TemplateQueryService"/>, the one way in that <c>POST /api/query</c> and the data explorer use, over the
/// devices its reach allows (as REST hands it <see cref="DeviceRegistry.IdsByTemplateAsync"/>), properties and
/// commands through <see cref="DeviceViewService"/> as the device page reads and runs them. A tile therefore never
/// shows a device its viewer could not read through REST, whoever made the dashboard. Every service it calls is a
/// singleton and every reach is read once when the page opens, so tiles read concurrently and off the circuit.
/// </summary>
public sealed class TileReader(
    string applicationId, DeviceGroupService groups, DeviceRegistry registry, DeviceTemplateService templates, TemplateQueryService queries,
    DeviceViewService views, ClaimsPrincipal viewer, TimeProvider time, OrganizationReach members, OrganizationReach data)
{
    /// <summary>
    /// Devices one tile reads: IoT Central's tile names at most 100 devices, and a group tile reads its group's first
    /// pages up to this many, so one refresh of a tile costs a bounded read.
    /// </summary>
    public const int MaxDevices = 1000;

    /// <summary>
    /// Devices a tile shows one by one (last known value, property, per-device charts, map), each read by one query per
    /// capability: a tile a few cells in size shows no more, and the bound keeps a refresh's cost fixed whatever the
    /// group's size.
    /// </summary>
    public const int MaxValueDevices = 20;

    /// <summary>Values an event or state chart, a history or a map's path reads per refresh, the newest.</summary>
    public const int MaxPoints = Pages.Devices.LiveChart.MaxPoints;

    /// <summary>The application the tiles read.</summary>
    public string ApplicationId => applicationId;

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
        var samples = await LatestSamplesAsync(tile, cancellationToken);
        return samples.Succeeded
            ? samples.Value.Select(s => new TileValue(s.DeviceId, s.Capability, s.Time, ValueText(s.Value))).ToList()
            : samples.Problem;
    }

    /// <summary>Each device's newest value of each of the tile's capabilities as sent, devices in id order (map positions, last known values).</summary>
    public async Task<Outcome<IReadOnlyList<TileSample>>> LatestSamplesAsync(Tile tile, CancellationToken cancellationToken)
    {
        var readable = await ReadableAsync(tile, cancellationToken);
        if (!readable.Succeeded)
        {
            return readable.Problem;
        }

        var values = new List<TileSample>();
        foreach (var (template, ids) in readable.Value)
        {
            foreach (var capability in Capabilities(tile))
            {
                if (Field(template, capability) is not { } field)
                {
                    continue;
                }

                foreach (var id in ids.Order(StringComparer.Ordinal).Take(MaxValueDevices))
                {
                    var query = new TelemetryQuery(
                        1, [new SelectItem(Id, Aggregate.None, null), new SelectItem(Timestamp, Aggregate.None, null), new SelectItem(field, Aggregate.None, null)],
                        template.Id, new CompareCondition(Id, "=", new QueryLiteral(id)), null, new QueryOrder(Timestamp, Descending: true));
                    var rows = await queries.RunAsync(applicationId, query, [id], cancellationToken);
                    if (!rows.Succeeded)
                    {
                        return rows.Problem;
                    }

                    if (rows.Value.Count > 0 && rows.Value[0][field.Text] is { } value && Time(rows.Value[0]) is { } at)
                    {
                        values.Add(new TileSample(id, capability.Capability, at, value.DeepClone()));
                    }
                }
            }
        }

        return values;
    }

    /// <summary>
    /// One capability of a line chart over the tile's devices, aggregated per bucket of the tile's resolution (IoT
    /// Central's <c>queryRange.resolution</c> and <c>aggregateFunction</c>) by the query language's
    /// <c>GROUP BY WINDOW</c>, which the telemetry rollups answer: a week of a thousand devices costs the summaries of
    /// its buckets, not its ten million raw values. Read from <paramref name="since"/> (the start of a bucket) when given,
    /// so a refresh re-reads only the newest buckets, else over the whole range. Devices of several templates are
    /// combined exactly per bucket, as a KPI combines them.
    /// </summary>
    public async Task<Outcome<TileBuckets>> BucketsAsync(Tile tile, TileCapability capability, DateTimeOffset? since, CancellationToken cancellationToken)
    {
        var readable = await ReadableAsync(tile, cancellationToken);
        if (!readable.Succeeded)
        {
            return readable.Problem;
        }

        var window = Window(tile);
        var resolution = Resolution(tile);
        var now = time.GetUtcNow();
        var from = since is { } start && start > now - window ? start : now - window;
        var range = from == since ? new WindowCondition(null, from, now.AddSeconds(1)) : new WindowCondition(window, null, null);
        var buckets = new SortedDictionary<DateTimeOffset, Combined>();
        foreach (var (template, ids) in readable.Value)
        {
            if (Field(template, capability) is not { } field)
            {
                continue;
            }

            var rows = await queries.RunAsync(applicationId, BucketQuery(template.Id, field, range, resolution), ids, cancellationToken);
            if (!rows.Succeeded)
            {
                return rows.Problem;
            }

            foreach (var row in rows.Value)
            {
                if (Time(row) is { } at)
                {
                    if (!buckets.TryGetValue(at, out var combined))
                    {
                        buckets[at] = combined = new Combined(capability.Aggregate);
                    }

                    combined.Add(row);
                }
            }
        }

        var values = buckets.Where(b => b.Value.Value is not null).Select(b => (b.Key, b.Value.Value!.Value)).ToList();
        return new TileBuckets(from, now, window, resolution, values);
    }

    /// <summary>
    /// A line chart's query for one template: per bucket the field's sum, count, minimum and maximum, from which any
    /// aggregate the tile names is composed across templates. Only <c>$ts</c>, aggregates, a WITHIN_WINDOW and a
    /// WINDOW of whole minutes: the shape the telemetry rollups answer.
    /// </summary>
    internal static TelemetryQuery BucketQuery(string template, QueryField field, WindowCondition range, TimeSpan resolution) =>
        new(
            null,
            [new SelectItem(Timestamp, Aggregate.None, null), new SelectItem(field, Aggregate.Sum, "sum"), new SelectItem(field, Aggregate.Count, "count"),
             new SelectItem(field, Aggregate.Min, "min"), new SelectItem(field, Aggregate.Max, "max")],
            template, range, resolution, null);

    /// <summary>
    /// The values one capability took on the tile's devices within the tile's time range, newest <see cref="MaxPoints"/>,
    /// oldest first: an event or state chart's timeline and a map's path.
    /// </summary>
    public async Task<Outcome<IReadOnlyList<TileSample>>> SamplesAsync(Tile tile, TileCapability capability, CancellationToken cancellationToken)
    {
        var readable = await ReadableAsync(tile, cancellationToken);
        if (!readable.Succeeded)
        {
            return readable.Problem;
        }

        var samples = new List<TileSample>();
        foreach (var (template, ids) in readable.Value)
        {
            if (Field(template, capability) is not { } field)
            {
                continue;
            }

            var query = new TelemetryQuery(
                MaxPoints, [new SelectItem(Id, Aggregate.None, null), new SelectItem(Timestamp, Aggregate.None, null), new SelectItem(field, Aggregate.None, null)],
                template.Id, new WindowCondition(Window(tile), null, null), null, new QueryOrder(Timestamp, Descending: true));
            var rows = await queries.RunAsync(applicationId, query, ids, cancellationToken);
            if (!rows.Succeeded)
            {
                return rows.Problem;
            }

            foreach (var row in rows.Value)
            {
                if (row[field.Text] is { } value && Time(row) is { } at && row["$id"] is { } id)
                {
                    samples.Add(new TileSample(id.GetValue<string>(), capability.Capability, at, value.DeepClone()));
                }
            }
        }

        return samples.OrderBy(p => p.Time).TakeLast(MaxPoints).ToList();
    }

    /// <summary>
    /// A KPI over the tile's devices: the capability's aggregate over the tile's range (as <c>POST /api/query</c>'s
    /// <c>WITHIN_WINDOW</c> of that duration answers it) and over the range of the same length before it. Devices of
    /// several templates are combined exactly: an average from each template's sum and count, not an average of averages.
    /// </summary>
    public async Task<Outcome<TileKpi>> KpiAsync(Tile tile, TileCapability capability, CancellationToken cancellationToken)
    {
        var readable = await ReadableAsync(tile, cancellationToken);
        if (!readable.Succeeded)
        {
            return readable.Problem;
        }

        var window = Window(tile);
        var now = time.GetUtcNow();
        var current = new Combined(capability.Aggregate);
        var previous = new Combined(capability.Aggregate);
        string? unit = null;
        foreach (var (template, ids) in readable.Value)
        {
            if (Field(template, capability) is not { } field)
            {
                continue;
            }

            unit ??= DeviceModels.Telemetry(template.Model, field.Component, field.Name)?.Unit;
            foreach (var (range, into) in new[] { (new WindowCondition(window, null, null), current), (new WindowCondition(null, now - window - window, now - window), previous) })
            {
                var query = new TelemetryQuery(null, [new SelectItem(field, Aggregate.Sum, "sum"), new SelectItem(field, Aggregate.Count, "count"), new SelectItem(field, Aggregate.Min, "min"), new SelectItem(field, Aggregate.Max, "max")], template.Id, range, null, null);
                var rows = await queries.RunAsync(applicationId, query, ids, cancellationToken);
                if (!rows.Succeeded)
                {
                    return rows.Problem;
                }

                if (rows.Value.Count > 0)
                {
                    into.Add(rows.Value[0]);
                }
            }
        }

        return new TileKpi(capability.Capability, capability.Aggregate, current.Value, previous.Value, unit);
    }

    /// <summary>
    /// Each device's aggregate of each of the tile's capabilities over the tile's range (bar, pie and heat map charts),
    /// the first <see cref="MaxValueDevices"/> devices in id order: one query per device and capability, as the query
    /// language groups by time, not by device.
    /// </summary>
    public async Task<Outcome<IReadOnlyList<TileAggregate>>> PerDeviceAsync(Tile tile, CancellationToken cancellationToken)
    {
        var readable = await ReadableAsync(tile, cancellationToken);
        if (!readable.Succeeded)
        {
            return readable.Problem;
        }

        var window = Window(tile);
        var values = new List<TileAggregate>();
        foreach (var (template, ids) in readable.Value)
        {
            foreach (var capability in Capabilities(tile))
            {
                if (Field(template, capability) is not { } field)
                {
                    continue;
                }

                foreach (var id in ids.Order(StringComparer.Ordinal).Take(MaxValueDevices))
                {
                    var query = new TelemetryQuery(
                        null, [new SelectItem(field, AggregateOf(capability.Aggregate), "value")], template.Id,
                        new AndCondition(new WindowCondition(window, null, null), new CompareCondition(Id, "=", new QueryLiteral(id))), null, null);
                    var rows = await queries.RunAsync(applicationId, query, [id], cancellationToken);
                    if (!rows.Succeeded)
                    {
                        return rows.Problem;
                    }

                    if (rows.Value.Count > 0 && Number(rows.Value[0]["value"]) is { } value)
                    {
                        values.Add(new TileAggregate(id, capability.Capability, value));
                    }
                }
            }
        }

        return values.OrderBy(v => v.DeviceId, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Each device's value of each of the tile's properties (the reported value, the acknowledged desired one, or a cloud
    /// property's), read as the device page reads them, newest change first.
    /// </summary>
    public async Task<Outcome<IReadOnlyList<TileProperty>>> PropertiesAsync(Tile tile, CancellationToken cancellationToken)
    {
        var devices = await DevicesAsync(tile, cancellationToken);
        if (!devices.Succeeded)
        {
            return devices.Problem;
        }

        var values = new List<TileProperty>();
        var capabilities = Capabilities(tile);
        var viewsByTemplate = new Dictionary<string, DeviceView?>(StringComparer.Ordinal);
        foreach (var device in devices.Value.Where(d => d.Template is not null).OrderBy(d => d.Id, StringComparer.Ordinal).Take(MaxValueDevices))
        {
            if (!viewsByTemplate.TryGetValue(device.Template!, out var view))
            {
                viewsByTemplate[device.Template!] = view = await templates.GetAsync(applicationId, device.Template!, cancellationToken) is { } template ? DeviceView.From(template) : null;
            }

            if (view is null || !capabilities.Any(c => view.FindProperty(c.Component, c.Name) is not null))
            {
                continue;
            }

            var read = await views.PropertiesAsync(viewer, device.Id, view, cancellationToken);
            if (!read.Succeeded)
            {
                // A device that left the viewer's reach or was deleted since the group was read: not shown.
                continue;
            }

            foreach (var capability in capabilities)
            {
                if (read.Value.FirstOrDefault(p => p.View.Component == capability.Component && p.View.Name == capability.Name) is { } state)
                {
                    values.Add(new TileProperty(device.Id, capability.Capability, state.Value ?? state.DesiredValue, state.LastUpdated));
                }
            }
        }

        return values.OrderByDescending(v => v.Time ?? DateTimeOffset.MinValue).ThenBy(v => v.DeviceId, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// A command tile's device and command, read as the device page reads them, with whether the viewer may run it on
    /// that device (REST's command permission within reach of the device); not found when the device is out of reach
    /// or its template declares no such command.
    /// </summary>
    public async Task<Outcome<TileCommand>> CommandAsync(Tile tile, CancellationToken cancellationToken)
    {
        if (DeviceOf(tile) is not { } deviceId || Text(tile, "command") is not { } name)
        {
            return Problem.NotFound("The tile names no device or command.");
        }

        var overview = await views.OverviewAsync(viewer, deviceId, cancellationToken);
        if (!overview.Succeeded)
        {
            return overview.Problem;
        }

        var capability = new TileCapability(name, "");
        return overview.Value.View?.FindCommand(capability.Component, capability.Name) is { } command
            ? new TileCommand(deviceId, command, overview.Value.Actions.RunCommands)
            : Problem.NotFound($"The device's template declares no command '{name}'.");
    }

    /// <summary>Runs the tile's command through the device page's service, which checks the viewer's reach for running commands again.</summary>
    public Task<Outcome<Commands.CommandExecution>> RunAsync(TileCommand command, JsonNode? request, CancellationToken cancellationToken) =>
        views.RunCommandAsync(viewer, command.DeviceId, command.Command, request, cancellationToken);

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

    /// <summary>
    /// The tile's time range (<c>queryRange.duration</c>, one of IoT Central's ISO 8601 durations), or 30 minutes, the
    /// shortest it offers, for a count range or none.
    /// </summary>
    public static TimeSpan Window(Tile tile)
    {
        ArgumentNullException.ThrowIfNull(tile);
        return tile.Configuration.TryGetProperty("queryRange", out var range) && range.ValueKind == JsonValueKind.Object
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
    }

    /// <summary>
    /// Buckets a line chart draws per capability at most: a tile a few cells wide shows no more, and the bound keeps a
    /// read's rows and the page's figure fixed whatever the range.
    /// </summary>
    public const int MaxBuckets = 300;

    /// <summary>IoT Central's <c>TimeRangeResolution</c> values, finest first.</summary>
    private static readonly (string Name, TimeSpan Span)[] Resolutions =
    [
        ("PT1M", TimeSpan.FromMinutes(1)), ("PT5M", TimeSpan.FromMinutes(5)), ("PT10M", TimeSpan.FromMinutes(10)), ("PT30M", TimeSpan.FromMinutes(30)),
        ("PT1H", TimeSpan.FromHours(1)), ("PT12H", TimeSpan.FromHours(12)), ("P1D", TimeSpan.FromDays(1)), ("P1W", TimeSpan.FromDays(7)),
    ];

    /// <summary>
    /// The width of a line chart's buckets: the tile's <c>queryRange.resolution</c>, or, when it names none or one that
    /// would cut the range into more than <see cref="MaxBuckets"/> buckets, the finest resolution that cuts it into no
    /// more (30 minutes by the minute, a day by five minutes, a week by the hour, 30 days by twelve hours), as IoT
    /// Central offers only coarser resolutions for longer ranges.
    /// </summary>
    public static TimeSpan Resolution(Tile tile)
    {
        ArgumentNullException.ThrowIfNull(tile);
        var window = Window(tile);
        var named = tile.Configuration.TryGetProperty("queryRange", out var range) && range.ValueKind == JsonValueKind.Object
            && range.TryGetProperty("resolution", out var resolution) && resolution.ValueKind == JsonValueKind.String
            ? Resolutions.FirstOrDefault(r => r.Name == resolution.GetString()).Span
            : TimeSpan.Zero;
        return named > TimeSpan.Zero && window / named <= MaxBuckets
            ? named
            : Resolutions.Select(r => r.Span).First(r => r >= named && window / r <= MaxBuckets);
    }

    /// <summary>
    /// A command tile's device: a string (CommandTileConfiguration) or the first of an array (CommandConfiguration's
    /// <c>device</c>, which IoT Central's examples give as a list).
    /// </summary>
    private static string? DeviceOf(Tile tile) =>
        tile.Configuration.TryGetProperty("device", out var device) ? device.ValueKind switch
        {
            JsonValueKind.String => device.GetString() is { Length: > 0 } id ? id : null,
            JsonValueKind.Array => device.EnumerateArray().FirstOrDefault(d => d.ValueKind == JsonValueKind.String).GetString() is { Length: > 0 } first ? first : null,
            _ => null,
        } : null;

    private static HashSet<string> Strings(Tile tile, string member) =>
        tile.Configuration.TryGetProperty(member, out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!).ToHashSet(StringComparer.Ordinal)
            : [];

    /// <summary>
    /// The tile's devices grouped by template, each narrowed to those the viewer may read the data of (REST's
    /// <c>POST /api/query</c> reach); a group that no longer exists reads as no devices, which the tile shows as empty.
    /// </summary>
    private async Task<Outcome<List<(DeviceTemplate Template, List<string> Ids)>>> ReadableAsync(Tile tile, CancellationToken cancellationToken)
    {
        var devices = await DevicesAsync(tile, cancellationToken);
        if (!devices.Succeeded)
        {
            return devices.Problem;
        }

        var readable = new List<(DeviceTemplate, List<string>)>();
        foreach (var byTemplate in devices.Value.Where(d => d.Template is not null).GroupBy(d => d.Template!, StringComparer.Ordinal))
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
    private static QueryField? Field(DeviceTemplate template, TileCapability capability) =>
        DeviceModels.Telemetry(template.Model, capability.Component, capability.Name) is null ? null : new QueryField(capability.Component, capability.Name, 0);

    /// <summary>IoT Central's <c>aggregateFunction</c> as the query language's aggregate; average for one it does not name.</summary>
    private static Aggregate AggregateOf(string name) => name switch
    {
        "min" => Aggregate.Min,
        "max" => Aggregate.Max,
        "sum" => Aggregate.Sum,
        "count" => Aggregate.Count,
        _ => Aggregate.Avg,
    };

    private static DateTimeOffset? Time(JsonObject row) =>
        row["$ts"] is JsonValue ts && DateTimeOffset.TryParse(ts.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;

    private static readonly QueryField Id = new(null, "$id", 0);

    private static readonly QueryField Timestamp = new(null, "$ts", 0);

    /// <summary>A value as a tile writes it: a string as is, a number with up to three places, anything else as JSON.</summary>
    public static string ValueText(JsonNode? value) =>
        value?.GetValueKind() switch
        {
            null => "",
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.Number => Number(value)?.ToString("0.###", CultureInfo.InvariantCulture) ?? value.ToJsonString(),
            _ => value.ToJsonString(),
        };

    /// <summary>
    /// A JSON number as a double, whatever it was made from: the query service answers counts as longs and telemetry as
    /// parsed JSON, and <c>JsonValue.GetValue&lt;T&gt;</c> converts neither to the other.
    /// </summary>
    public static double? Number(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number
        && double.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number : null;

    /// <summary>Several templates' sums, counts, minima and maxima combined into the one aggregate a KPI names.</summary>
    private sealed class Combined(string aggregate)
    {
        private double _sum;
        private long _count;
        private double? _min;
        private double? _max;

        public void Add(JsonObject row)
        {
            var count = (long)(TileReader.Number(row["count"]) ?? 0);
            if (count == 0)
            {
                return;
            }

            _count += count;
            _sum += TileReader.Number(row["sum"]) ?? 0;
            _min = Min(_min, TileReader.Number(row["min"]));
            _max = Max(_max, TileReader.Number(row["max"]));
        }

        public double? Value => _count == 0 && aggregate != "count" ? null : aggregate switch
        {
            "count" => _count,
            "sum" => _sum,
            "min" => _min,
            "max" => _max,
            _ => _sum / _count,
        };

        private static double? Min(double? a, double? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);

        private static double? Max(double? a, double? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);
    }
}
