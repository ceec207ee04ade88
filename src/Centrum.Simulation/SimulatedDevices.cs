using System.Text.RegularExpressions;
using Centrum.Devices;
using Centrum.Listing;
using Centrum.Organizations;
using Centrum.Outcomes;
using Centrum.Simulation.Internal;
using Centrum.Templates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Centrum.Simulation;

/// <summary>
/// Creates simulated devices for a template (IoT Central's "Create N simulated devices"): ids
/// <c>{template name}-sim-{n}</c>, unique in the application, within <see cref="SimulationOptions.MaxDevicesPerApplication"/>.
/// The devices are created through <see cref="DeviceRegistry"/> with the caller's reach and organizations, so a caller
/// meets the refusals REST would (an unknown template, organizations outside its reach); the supervisor starts them.
/// </summary>
public sealed partial class SimulatedDevices(DeviceRegistry registry, DeviceTemplateService templates, IOptions<SimulationOptions> options, ILogger<SimulatedDevices> logger)
{
    /// <summary>Devices one call creates at most (IoT Central's dialog offers up to this many at once).</summary>
    public const int MaxPerCall = 100;

    /// <summary>The simulated devices an application holds, counted against the budget (at most budget + 1 are read).</summary>
    public async Task<int> CountAsync(string applicationId, CancellationToken cancellationToken)
    {
        var count = 0;
        string? after = null;
        do
        {
            var page = await registry.ListAsync(applicationId, new ListRequest("simulated eq true", null, after), DeviceRegistry.MaxPageSize, OrganizationReach.WholeApplication, cancellationToken);
            count += page.Devices.Count;
            after = page.ContinueAfter;
        }
        while (after is not null && count <= options.Value.MaxDevicesPerApplication);

        return count;
    }

    /// <summary>
    /// Creates <paramref name="count"/> simulated devices of <paramref name="templateId"/> in <paramref name="organizations"/>
    /// as a caller with <paramref name="reach"/>; answers the devices created. Refusals: <c>Invalid</c> (a count out of
    /// 1–<see cref="MaxPerCall"/>, an unknown template), <c>LimitReached</c> (the application's budget), and the
    /// registry's own (organizations outside the caller's reach).
    /// </summary>
    public async Task<Outcome<IReadOnlyList<Device>>> CreateAsync(
        string applicationId, string templateId, int count, IReadOnlyList<string> organizations, OrganizationReach reach, CancellationToken cancellationToken)
    {
        if (count is < 1 or > MaxPerCall)
        {
            return Problem.Invalid($"count: create 1 to {MaxPerCall} simulated devices at once.");
        }

        var template = await templates.GetAsync(applicationId, templateId, cancellationToken);
        if (template is null)
        {
            return Problem.Invalid($"Device template '{templateId}' does not exist.");
        }

        var budget = options.Value.MaxDevicesPerApplication;
        var existing = await CountAsync(applicationId, cancellationToken);
        if (existing + count > budget)
        {
            return new Problem(ProblemKind.LimitReached, "SimulatedDeviceLimit",
                $"The application has {existing} simulated devices and may have {budget} (Centrum:Simulation:MaxDevicesPerApplication); {count} more would exceed it.");
        }

        var created = new List<Device>(count);
        var prefix = NamePrefix(template);
        var next = 1;
        while (created.Count < count)
        {
            // Free ids are looked for within the budget: an application holds at most budget simulated devices, so at
            // most that many ids of the prefix can be taken by them (others' devices may hold more; the scan is bounded too).
            if (next > budget + count + MaxPerCall)
            {
                return Problem.Conflict($"No free device id of the form '{prefix}-sim-<n>' was found; create the devices with ids of your own.");
            }

            var id = $"{prefix}-sim-{next++}";
            if (await registry.GetAsync(applicationId, id, cancellationToken) is not null)
            {
                continue;
            }

            var write = new DeviceWrite($"{DisplayName(template)} (simulated) {next - 1}", templateId, Enabled: true, Simulated: true, organizations);
            // Create only: an id taken meanwhile (a concurrent create of the same id) is skipped like one taken before,
            // never replaced.
            var device = await registry.CreateAsync(applicationId, id, write, reach, cancellationToken);
            if (device.Problem is { Kind: ProblemKind.Conflict } && await registry.GetAsync(applicationId, id, cancellationToken) is not null)
            {
                continue;
            }

            if (!device.Succeeded)
            {
                return device.Problem;
            }

            created.Add(device.Value!);
        }

        Log.Created(logger, applicationId, templateId, created.Count);
        return created;
    }

    /// <summary>The template's name as an id part: its DTMI's last segment without the version (<c>dtmi:com:example:Thermostat;1</c> → <c>thermostat</c>).</summary>
    internal static string NamePrefix(DeviceTemplate template)
    {
        var path = template.ModelId.Split(';')[0];
        var name = path[(path.LastIndexOf(':') + 1)..];
        var cleaned = NotIdCharacters().Replace(name, "-").Trim('-').ToLowerInvariant();
        const int MaxPrefix = 64;
        return cleaned.Length == 0 ? "device" : cleaned.Length > MaxPrefix ? cleaned[..MaxPrefix] : cleaned;
    }

    private static string DisplayName(DeviceTemplate template) => template.DisplayName ?? template.Model.DisplayName?.Default ?? NamePrefix(template);

    [GeneratedRegex("[^A-Za-z0-9_]+")]
    private static partial Regex NotIdCharacters();
}
