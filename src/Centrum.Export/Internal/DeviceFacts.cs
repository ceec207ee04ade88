using System.Text.Json.Nodes;
using Centrum.Devices;
using Centrum.Events;
using Centrum.Storage;
using Centrum.Templates;
using Centrum.Twins;
using Microsoft.EntityFrameworkCore;

namespace Centrum.Export.Internal;

/// <summary>What exports know of a device when they build, filter and enrich its messages.</summary>
internal sealed record DeviceFacts(Device? Device, DeviceTemplate? Template, Twin? Twin)
{
    /// <summary>The device's facts in the shape export filters read (<c>$id</c>, <c>$displayName</c>, … and current properties).</summary>
    public JsonObject ToFilterJson(string deviceId) => new()
    {
        ["$id"] = deviceId,
        ["$displayName"] = Device?.DisplayName,
        ["$template"] = Device?.Template,
        ["$enabled"] = Device?.Enabled,
        ["$provisioned"] = Device?.Provisioned,
        ["$simulated"] = Device?.Simulated,
        ["$organizations"] = Device is null ? null : new JsonArray(Device.Organizations.Select(o => (JsonNode?)o).ToArray()),
        ["properties"] = Properties(),
    };

    /// <summary>Reported properties with cloud properties merged in, components as nested objects (without their marker).</summary>
    public JsonObject Properties()
    {
        var merged = new JsonObject();
        foreach (var (name, value) in Twin?.Reported ?? [])
        {
            if (!name.StartsWith('$'))
            {
                merged[name] = value?.DeepClone();
            }
        }

        foreach (var (name, value) in Twin?.Cloud ?? [])
        {
            merged[name] = value?.DeepClone();
        }

        foreach (var (_, value) in merged)
        {
            (value as JsonObject)?.Remove(DeviceProperties.ComponentMarker);
        }

        return merged;
    }
}

/// <summary>
/// Device facts kept across batches, each loaded once and dropped when the device event log says it changed: before
/// each batch is built, <see cref="RefreshAsync"/> reads the log after the last entry it saw and drops the devices
/// that were created, deleted, updated (name, template, enabled, organizations, …) or connected (a connect may
/// associate a template), every device when a template changed, and, for exports that read the twin, the devices
/// whose reported or cloud properties changed. The log commits a change and its event together and its ids become
/// visible in order (see <c>DeviceEventLog</c>), so a fact loaded after an event committed is as new as that event,
/// and one loaded before it is dropped by the next refresh: a message read after a change is built with it.
/// Used by one pipeline at a time.
/// </summary>
internal sealed class DeviceFactsLoader(IDbContextFactory<CentrumDbContext> contexts, DeviceRegistry registry, DeviceTemplateService templates, TwinService twins)
{
    /// <summary>Log entries one refresh reads; past that, it drops every fact and starts from the log's end.</summary>
    internal const int RefreshBudget = 2_000;

    /// <summary>Devices kept at most; past that the cache starts over, so a huge fleet costs reloads, not memory.</summary>
    internal const int Capacity = 20_000;

    private static readonly string[] DeviceKinds =
        [nameof(DeviceEventKind.Created), nameof(DeviceEventKind.Deleted), nameof(DeviceEventKind.Updated), nameof(DeviceEventKind.Connected)];

    private static readonly string[] TwinKinds = [nameof(DeviceEventKind.ReportedPropertiesChanged), nameof(DeviceEventKind.CloudPropertiesChanged)];

    private readonly Dictionary<string, DeviceFacts> _cache = new(StringComparer.Ordinal);
    private long? _seen;

    /// <summary>Drops what the device event log says changed since the last refresh.</summary>
    public async Task RefreshAsync(string applicationId, bool withTwin, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var log = db.DeviceEvents.AsNoTracking().Where(e => e.ApplicationId == applicationId);
        if (_seen is not { } seen)
        {
            _cache.Clear();
            _seen = await log.MaxAsync(e => (long?)e.Id, cancellationToken) ?? 0;
            return;
        }

        var entries = await log.Where(e => e.Id > seen).OrderBy(e => e.Id).Take(RefreshBudget)
            .Select(e => new { e.Id, e.DeviceId, e.Kind }).ToListAsync(cancellationToken);
        if (entries.Count == 0)
        {
            return;
        }

        if (entries.Count == RefreshBudget)
        {
            // Every fact is loaded afresh after this point, so the entries up to the log's end need not be read.
            _cache.Clear();
            _seen = await log.MaxAsync(e => (long?)e.Id, cancellationToken) ?? seen;
            return;
        }

        foreach (var entry in entries)
        {
            if (entry.Kind == nameof(DeviceEventKind.TemplateChanged))
            {
                _cache.Clear();
            }
            else if (DeviceKinds.Contains(entry.Kind) || (withTwin && TwinKinds.Contains(entry.Kind)))
            {
                _cache.Remove(entry.DeviceId);
            }
        }

        _seen = entries[^1].Id;
    }

    /// <summary>
    /// The device, its template and, when <paramref name="withTwin"/>, its twin. Only filters and property
    /// enrichments read the twin, and loading it is two of the three queries per device: the export bench measured
    /// the build step at about 60% of a telemetry batch's time without it being read.
    /// </summary>
    public async ValueTask<DeviceFacts> GetAsync(string applicationId, string deviceId, bool withTwin, CancellationToken cancellationToken)
    {
        if (deviceId.Length == 0)
        {
            return new DeviceFacts(null, null, null);
        }

        if (_cache.TryGetValue(deviceId, out var facts))
        {
            return facts;
        }

        var device = await registry.GetAsync(applicationId, deviceId, cancellationToken);
        var template = device?.Template is { } templateId ? await templates.GetAsync(applicationId, templateId, cancellationToken) : null;
        var twin = device is null || !withTwin ? null : await twins.GetAsync(applicationId, deviceId, null, cancellationToken);
        facts = new DeviceFacts(device, template, twin);
        if (_cache.Count >= Capacity)
        {
            _cache.Clear();
        }

        _cache[deviceId] = facts;
        return facts;
    }
}
