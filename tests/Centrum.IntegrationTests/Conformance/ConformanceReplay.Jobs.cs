using System.Text.Json;
using System.Text.Json.Nodes;

namespace Centrum.IntegrationTests.Conformance;

/// <summary>
/// What the job examples need: the template their data names (published as <c>urn:…</c>, which is not a DTMI, so a
/// DTMI template of the same shape stands for it), the group they target (the device-group examples' own) with a device in it that never connects,
/// one job id per api-version (a job is started once and cannot be deleted), and a job that has ended with a failed
/// device for the re-run.
/// </summary>
public sealed partial class ConformanceReplay
{
    /// <summary>The template the job examples' data names, as published.</summary>
    private const string PublishedJobTemplateId = "urn:1dgygpt7t:modelDefinition:02uwtefvdy";

    /// <summary>The suite's template that stands for it: a component 'componentName' with the writable string 'propertyName'.</summary>
    private const string JobTemplateId = "dtmi:conformance:jobTarget;1";

    /// <summary>The group the job examples target, as published.</summary>
    private const string JobGroupId = "475cad48-b7ff-4a09-b51e-1a9021385453";

    /// <summary>The group's one member: it never connects, so a property job waits for it until its connection timeout.</summary>
    private const string JobDeviceId = "conformance-job-device";

    /// <summary>How long the re-run example waits for the job it re-runs to end; its only device fails at once (connection timeout 0).</summary>
    private static readonly TimeSpan FailedJobWait = TimeSpan.FromSeconds(20);

    private static JsonObject JobTemplate() => new()
    {
        ["displayName"] = "Conformance: the job examples' template",
        ["@type"] = new JsonArray("ModelDefinition", "DeviceModel"),
        ["capabilityModel"] = new JsonObject
        {
            ["@id"] = "dtmi:conformance:jobTargetModel;1",
            ["@type"] = "Interface",
            ["contents"] = new JsonArray(new JsonObject
            {
                ["@type"] = "Component",
                ["name"] = "componentName",
                ["schema"] = new JsonObject
                {
                    ["@id"] = "dtmi:conformance:jobComponent;1",
                    ["@type"] = "Interface",
                    ["contents"] = new JsonArray(new JsonObject { ["@type"] = "Property", ["name"] = "propertyName", ["schema"] = "string", ["writable"] = true }),
                },
            }),
        },
    };

    /// <summary>
    /// A job example's id in this api-version: the first version's examples use the published ids; the next one's get
    /// the version appended, since the first version already started jobs of those ids.
    /// </summary>
    private static string JobIdFor(PublishedExample example, string published) =>
        example.Version == PublishedExample.All[0].Version ? published : $"{published}-{example.Version}";

    /// <summary>A job body's data naming the published template names the suite's instead (see <see cref="Substitutions"/>).</summary>
    private static void UseJobTemplate(PublishedExample example, JsonNode body)
    {
        if (!example.OperationId.StartsWith("Jobs_", StringComparison.Ordinal) || body["data"] is not JsonArray data)
        {
            return;
        }

        foreach (var entry in data.OfType<JsonObject>())
        {
            if (entry["target"] is JsonValue target && target.GetValueKind() == JsonValueKind.String && (string?)target == PublishedJobTemplateId)
            {
                entry["target"] = JobTemplateId;
            }
        }
    }

    private async Task PrepareJobAsync(PublishedExample example, JsonObject parameters)
    {
        await EnsureOneAsync($"deviceTemplates/{Uri.EscapeDataString(JobTemplateId)}", JobTemplate());
        // The group is the one the device-group examples read (DeviceGroups_Get shows it, with its organization), its
        // query naming the suite's template instead of one no device here uses; its device is in that organization.
        var group = PublishedExample.All.First(e => e.Version == SetupVersion && e.ExampleName == "devicegroups_get").ExpectedResponse.Body!.DeepClone().AsObject();
        group.Remove("id");
        group["filter"] = $"SELECT * FROM devices WHERE $template = \"{JobTemplateId}\"";
        var device = new JsonObject { ["displayName"] = JobDeviceId, ["template"] = JobTemplateId };
        if (group["organizations"] is JsonArray organizations)
        {
            device["organizations"] = organizations.DeepClone();
        }

        if (!await EnsureOneAsync($"devices/{JobDeviceId}", device) || !await EnsureOneAsync($"deviceGroups/{JobGroupId}", group))
        {
            throw new InvalidOperationException("the job examples' device or group could not be created");
        }
        if (parameters["jobId"] is JsonValue jobId)
        {
            parameters["jobId"] = JobIdFor(example, (string)jobId!);
        }

        if (parameters["rerunId"] is JsonValue rerunId)
        {
            parameters["rerunId"] = JobIdFor(example, (string)rerunId!);
        }

        if (example.OperationId == "Jobs_Rerun")
        {
            parameters["jobId"] = await FailedJobAsync(example, (string)parameters["jobId"]!);
        }
    }

    /// <summary>
    /// A job over the examples' group, like the creation example's but with a connection timeout of 0: its device is
    /// not connected, so it fails at once and the job ends with one failed device, which is what a re-run runs again.
    /// </summary>
    private async Task<string> FailedJobAsync(PublishedExample example, string jobId)
    {
        var failedId = $"{jobId}-failed";
        var body = PublishedExample.All.First(e => e.Version == example.Version && e.OperationId == "Jobs_Create").Parameters["body"]!.DeepClone();
        UseJobTemplate(example, body);
        body["connectionTimeout"] = 0;
        using (var created = await _http!.PutAsync($"api/jobs/{failedId}?api-version={example.Version}", CentrumServer.Json(body.ToJsonString())))
        {
            if (!created.IsSuccessStatusCode && created.StatusCode != System.Net.HttpStatusCode.Conflict)
            {
                throw new InvalidOperationException($"the job to re-run could not be created: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync()}");
            }
        }

        var last = "";
        try
        {
            await Wait.UntilAsync(async () =>
            {
                var job = JsonNode.Parse(await _http.GetStringAsync($"api/jobs/{failedId}?api-version={example.Version}"))!;
                last = job.ToJsonString();
                return (string?)job["status"] is "complete" or "cancelled" or "failed" && (int?)job["progress"]?["failed"] > 0;
            }, FailedJobWait, $"job '{failedId}' ends with its device failed");
        }
        catch (TimeoutException timeout)
        {
            throw new TimeoutException($"{timeout.Message} It stands as: {last}", timeout);
        }

        return failedId;
    }
}
