using System.Text.Json.Nodes;
using Centrum.Organizations;
using Centrum.Simulation.Internal;
using Centrum.Templates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Centrum.Simulation;

/// <summary>
/// The first-run demo: a new installation's default application gets a published sample model (Microsoft's Climate
/// Monitor, <c>dtmi:com:example:climatemonitor;1</c>, MIT licence, kept in <c>Resources/</c>) as a template and
/// <see cref="Devices"/> simulated devices of it, so the first <c>dotnet run</c> shows live data within a minute.
/// </summary>
public sealed class SimulationDemo(DeviceTemplateService templates, SimulatedDevices devices, IOptions<SimulationOptions> options, ILogger<SimulationDemo> logger)
{
    public const string TemplateId = "dtmi:com:example:climatemonitor;1";

    /// <summary>Five devices: enough to compare on one chart, few enough to read.</summary>
    public const int Devices = 5;

    private const string Resource = "Centrum.Simulation.Demo.climatemonitor-1.json";

    /// <summary>
    /// Offers the demo in <paramref name="applicationId"/>, which the host calls once, when this start created the
    /// first application of an empty store; nothing happens when <see cref="SimulationOptions.Demo"/> is off.
    /// A refusal is logged and the server starts without the demo.
    /// </summary>
    public async Task OfferAsync(string applicationId, CancellationToken cancellationToken)
    {
        if (!options.Value.Demo)
        {
            return;
        }

        JsonNode model;
        await using (var stream = typeof(SimulationDemo).Assembly.GetManifestResourceStream(Resource)
            ?? throw new InvalidOperationException($"The demo model {Resource} is missing from the build."))
        {
            model = (await JsonNode.ParseAsync(stream, cancellationToken: cancellationToken))!;
        }

        var saved = await templates.SaveAsync(applicationId, TemplateId, ["ModelDefinition", "DeviceModel"], "Climate Monitor (demo)",
            "A sample template with simulated devices; delete them and the template when you no longer need them.", model, ifMatch: null, cancellationToken);
        if (!saved.Succeeded)
        {
            Log.DemoRefused(logger, applicationId, saved.Problem!.Message);
            return;
        }

        var created = await devices.CreateAsync(applicationId, TemplateId, Math.Min(Devices, options.Value.MaxDevicesPerApplication), [], OrganizationReach.WholeApplication, cancellationToken);
        if (!created.Succeeded)
        {
            Log.DemoRefused(logger, applicationId, created.Problem!.Message);
            return;
        }

        Log.DemoCreated(logger, applicationId, TemplateId, created.Value!.Count);
    }
}
