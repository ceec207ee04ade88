using System.Text.Json.Nodes;

namespace Centrum.IntegrationTests.Conformance;

/// <summary>The prerequisites of IoT Central's scheduled-job examples (ScheduledJobs_*).</summary>
public sealed partial class ConformanceReplay
{
    /// <summary>
    /// The template the scheduled-job examples' command targets and the device group they name, and for an
    /// example about an existing scheduled job, that job, made from the published creation example. The examples'
    /// starts lie in the past, so a recurring schedule's next run is its next occurrence and nothing runs meanwhile.
    /// </summary>
    private async Task PrepareScheduledJobAsync(PublishedExample example, JsonObject parameters)
    {
        if (!example.OperationId.StartsWith("ScheduledJobs_", StringComparison.Ordinal))
        {
            return;
        }

        var creation = PublishedCreation("scheduledjobs_create")["body"]!;
        var template = (string)creation["data"]![0]!["target"]!;
        var commands = new JsonArray();
        foreach (var command in new[] { "Reboot", "UpdateFirmware" })
        {
            commands.Add(new JsonObject { ["@type"] = "Command", ["name"] = command });
        }

        await EnsureOneAsync($"deviceTemplates/{Uri.EscapeDataString(template)}", new JsonObject
        {
            ["displayName"] = "Scheduled job example",
            ["@type"] = new JsonArray("ModelDefinition", "DeviceModel"),
            ["capabilityModel"] = new JsonObject { ["@id"] = "dtmi:conformance:ScheduledJobExample;1", ["@type"] = "Interface", ["contents"] = commands },
        });
        // The group as any other example's group is made (from the published creation example), so the group list
        // examples compare it like the others.
        await EnsureAsync("deviceGroupId", (string)creation["group"]!, parameters);

        if (parameters["scheduledJobId"] is JsonValue id && example.Method != "PUT")
        {
            await EnsureOneAsync($"scheduledJobs/{Uri.EscapeDataString((string)id!)}", CreationBody("scheduledjobs_create", null));
        }
    }
}
