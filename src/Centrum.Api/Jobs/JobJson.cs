using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Api.Infrastructure;
using Centrum.Jobs;

namespace Centrum.Api.Jobs;

/// <summary>
/// IoT Central's <c>Job</c> body (REST API 2022-07-31, definitions <c>Job</c>, <c>JobData</c>, <c>JobBatch</c>,
/// <c>JobCancellationThreshold</c>), read strictly: unknown fields and wrong types are refused with the field's name.
/// Centrum's extensions are documented in docs/api.md: <c>devices</c> (an explicit target list instead of
/// <c>group</c>), <c>connectionTimeout</c> (seconds), <c>queueIfOffline</c>, <c>rollout</c> and <c>abort</c>.
/// The scheduled-job body shares the definition and reads its own fields (<c>schedule</c>, <c>enabled</c>) itself.
/// </summary>
internal static class JobJson
{
    /// <summary>Read-only fields of a job an answer carries; a body read back and sent again may hold them, and they are ignored.</summary>
    private static readonly HashSet<string> ReadOnly = ["status", "progress", "start", "end", "scheduledJobId", "rerunOf", "statusReason"];

    public static JsonObject ToResponse(Job job)
    {
        var body = new JsonObject { ["id"] = job.Id };
        if (job.ScheduledJobId is not null)
        {
            body["scheduledJobId"] = job.ScheduledJobId;
        }

        Write(body, job.Definition);
        if (job.Start is { } start)
        {
            body["start"] = IotCentralTime.ToText(start);
        }

        if (job.End is { } end)
        {
            body["end"] = IotCentralTime.ToText(end);
        }

        body["progress"] = new JsonObject
        {
            ["total"] = job.Progress.Total,
            ["pending"] = job.Progress.Pending,
            ["completed"] = job.Progress.Completed,
            ["failed"] = job.Progress.Failed,
        };
        body["status"] = JobStates.Name(job.Status);
        if (job.RerunOf is not null)
        {
            body["rerunOf"] = job.RerunOf;
        }

        if (job.StatusReason is not null)
        {
            body["statusReason"] = job.StatusReason;
        }

        return body;
    }

    public static JsonObject ToResponse(JobDeviceStatus device)
    {
        var body = new JsonObject { ["id"] = device.DeviceId, ["status"] = JobStates.Name(device.State) };
        if (device.Reason is not null)
        {
            body["reason"] = device.Reason;
        }

        return body;
    }

    /// <summary>Writes a definition's fields into a job or scheduled-job body, IoT Central's first and Centrum's extensions when set.</summary>
    public static void Write(JsonObject body, JobDefinition definition)
    {
        if (definition.DisplayName is not null)
        {
            body["displayName"] = definition.DisplayName;
        }

        if (definition.Description is not null)
        {
            body["description"] = definition.Description;
        }

        if (definition.Group is not null)
        {
            body["group"] = definition.Group;
        }

        if (definition.Devices is not null)
        {
            body["devices"] = new JsonArray([.. definition.Devices.Select(d => (JsonNode)d)]);
        }

        if (definition.Batch is { } batch)
        {
            body["batch"] = new JsonObject { ["type"] = Name(batch.Kind), ["value"] = batch.Value };
        }

        if (definition.CancellationThreshold is { } threshold)
        {
            body["cancellationThreshold"] = new JsonObject { ["type"] = Name(threshold.Kind), ["value"] = threshold.Value, ["batch"] = threshold.PerBatch };
        }

        body["data"] = new JsonArray([.. definition.Data.Select(Write)]);
        if (definition.Organizations is { Count: > 0 } organizations)
        {
            body["organizations"] = new JsonArray([.. organizations.Select(o => (JsonNode)o)]);
        }

        if (definition.ConnectionTimeout is { } timeout)
        {
            body["connectionTimeout"] = (int)timeout.TotalSeconds;
        }

        if (definition.QueueIfOffline)
        {
            body["queueIfOffline"] = true;
        }

        if (definition.Rollout is { } rollout)
        {
            var node = new JsonObject { ["devicesPerMinute"] = rollout.DevicesPerMinute };
            if (rollout.IncrementFactor is { } factor)
            {
                node["incrementFactor"] = factor;
                node["successesPerIncrement"] = rollout.SuccessesPerIncrement;
            }

            if (rollout.MaximumPerMinute is { } maximum)
            {
                node["maximumPerMinute"] = maximum;
            }

            body["rollout"] = node;
        }

        if (definition.Abort is { } abort)
        {
            body["abort"] = new JsonObject { ["failureRate"] = abort.FailureRatePercent, ["minimumDevices"] = abort.MinimumDevices };
        }
    }

    private static JsonNode Write(JobData data)
    {
        var node = new JsonObject { ["type"] = Name(data.Kind) };
        switch (data.Kind)
        {
            case JobDataKind.DeviceTemplateMigration:
                node["template"] = data.Template;
                break;
            case JobDataKind.DeviceManifestMigration:
                node["manifest"] = data.Manifest;
                break;
            default:
                node["target"] = data.Target;
                node["path"] = data.Path;
                if (data.Value is not null)
                {
                    node["value"] = data.Value.DeepClone();
                }

                break;
        }

        return node;
    }

    /// <summary>
    /// Reads a job body. <paramref name="id"/> is the id in the path, which a body's <c>id</c> must match;
    /// <paramref name="handled"/> names fields the caller reads itself (a scheduled job's), skipped here.
    /// </summary>
    public static bool TryRead(JsonNode? body, string id, IReadOnlySet<string>? handled, out JobDefinition definition, out string? error)
    {
        definition = new JobDefinition(null, null, null, null, []);
        error = null;
        if (body is not JsonObject obj)
        {
            error = "The request body must be a JSON object.";
            return false;
        }

        string? displayName = null, description = null, group = null;
        List<string>? devices = null, organizations = null;
        List<JobData>? data = null;
        JobBatch? batch = null;
        JobCancellationThreshold? threshold = null;
        TimeSpan? timeout = null;
        var queue = false;
        JobRollout? rollout = null;
        JobAbort? abort = null;
        foreach (var (name, value) in obj)
        {
            if (handled?.Contains(name) == true || ReadOnly.Contains(name))
            {
                continue;
            }

            var ok = name switch
            {
                "id" => value is null || (TryString(value, out var bodyId) && bodyId == id) || Fail(out error, "Field 'id' must match the id in the path."),
                "displayName" => value is null || TryString(value, out displayName) || Fail(out error, "Field 'displayName' must be a string."),
                "description" => value is null || TryString(value, out description) || Fail(out error, "Field 'description' must be a string."),
                "group" => value is null || TryString(value, out group) || Fail(out error, "Field 'group' must be a device group id."),
                "devices" => value is null || TryStrings(value, out devices) || Fail(out error, "Field 'devices' must be an array of device ids."),
                "organizations" => value is null || TryStrings(value, out organizations) || Fail(out error, "Field 'organizations' must be an array of organization ids."),
                "data" => TryData(value, out data, out error),
                "batch" => value is null || TryBatch(value, out batch, out error),
                "cancellationThreshold" => value is null || TryThreshold(value, out threshold, out error),
                "connectionTimeout" => value is null || TrySeconds(value, out timeout) || Fail(out error, "Field 'connectionTimeout' must be a whole number of seconds."),
                "queueIfOffline" => value is null || TryBool(value, out queue) || Fail(out error, "Field 'queueIfOffline' must be true or false."),
                "rollout" => value is null || TryRollout(value, out rollout, out error),
                "abort" => value is null || TryAbort(value, out abort, out error),
                _ => Fail(out error, $"Unknown field '{name}' in the job body."),
            };
            if (!ok)
            {
                return false;
            }
        }

        if (data is null)
        {
            error = "Field 'data' is required: at least one job data entry.";
            return false;
        }

        definition = new JobDefinition(displayName, description, group, devices, data, batch, threshold, organizations, timeout, queue, rollout, abort);
        return true;
    }

    private static bool TryData(JsonNode? value, out List<JobData>? data, out string? error)
    {
        data = null;
        error = null;
        if (value is not JsonArray array)
        {
            return Fail(out error, "Field 'data' must be an array of job data entries.");
        }

        // The service bounds the count with its own message; this bounds what is parsed before it is asked.
        if (array.Count > JobLimits.MaxDataEntries)
        {
            return Fail(out error, $"data holds 1 to {JobLimits.MaxDataEntries} entries.");
        }

        data = new List<JobData>(array.Count);
        for (var i = 0; i < array.Count; i++)
        {
            if (!TryEntry(array[i], $"data[{i}]", out var entry, out error))
            {
                return false;
            }

            data.Add(entry!);
        }

        return true;
    }

    private static bool TryEntry(JsonNode? node, string where, out JobData? entry, out string? error)
    {
        entry = null;
        error = null;
        if (node is not JsonObject obj)
        {
            return Fail(out error, $"{where} must be an object.");
        }

        if (obj["type"] is not { } typeNode || !TryString(typeNode, out var type) || ParseKind(type) is not { } kind)
        {
            return Fail(out error, $"{where}.type must be one of property, cloudProperty, command, deviceTemplateMigration, deviceManifestMigration.");
        }

        string? target = null, path = null, template = null, manifest = null;
        JsonNode? payload = null;
        foreach (var (name, value) in obj)
        {
            var capability = kind is JobDataKind.Property or JobDataKind.CloudProperty or JobDataKind.Command;
            var ok = name switch
            {
                "type" => true,
                "target" when capability => value is null || TryString(value, out target) || Fail(out error, $"{where}.target must be a device template id."),
                "path" when capability => value is null || TryString(value, out path) || Fail(out error, $"{where}.path must be a string."),
                // AnyValue: any JSON value but null; null is taken as no value (IoT Central's own scheduled-job example sends it for a command).
                "value" when capability => Keep(value, out payload),
                "template" when kind is JobDataKind.DeviceTemplateMigration => value is null || TryString(value, out template) || Fail(out error, $"{where}.template must be a device template id."),
                "manifest" when kind is JobDataKind.DeviceManifestMigration => value is null || TryString(value, out manifest) || Fail(out error, $"{where}.manifest must be a deployment manifest id."),
                _ => Fail(out error, $"Unknown field '{name}' in {where} of type {type}."),
            };
            if (!ok)
            {
                return false;
            }
        }

        entry = new JobData(kind, target, path, payload, template, manifest);
        return true;
    }

    private static bool TryBatch(JsonNode value, out JobBatch? batch, out string? error)
    {
        batch = null;
        if (!TryAmount(value, "batch", allowBatchFlag: false, out var kind, out var amount, out _, out error))
        {
            return false;
        }

        batch = new JobBatch(kind, amount);
        return true;
    }

    private static bool TryThreshold(JsonNode value, out JobCancellationThreshold? threshold, out string? error)
    {
        threshold = null;
        if (!TryAmount(value, "cancellationThreshold", allowBatchFlag: true, out var kind, out var amount, out var perBatch, out error))
        {
            return false;
        }

        threshold = new JobCancellationThreshold(kind, amount, perBatch);
        return true;
    }

    private static bool TryAmount(JsonNode value, string field, bool allowBatchFlag, out JobAmountKind kind, out double amount, out bool perBatch, out string? error)
    {
        kind = JobAmountKind.Number;
        amount = 0;
        perBatch = false;
        error = null;
        if (value is not JsonObject obj)
        {
            return Fail(out error, $"Field '{field}' must be an object with type and value.");
        }

        JobAmountKind? parsed = null;
        double? number = null;
        foreach (var (name, member) in obj)
        {
            var ok = name switch
            {
                "type" => member is not null && TryString(member, out var type) && (parsed = type switch { "number" => JobAmountKind.Number, "percentage" => JobAmountKind.Percentage, _ => null }) is not null
                    || Fail(out error, $"{field}.type must be number or percentage."),
                "value" => member is not null && TryNumber(member, out var n) && (number = n) is not null || Fail(out error, $"{field}.value must be a number."),
                "batch" when allowBatchFlag => member is null || TryBool(member, out perBatch) || Fail(out error, $"{field}.batch must be true or false."),
                _ => Fail(out error, $"Unknown field '{name}' in {field}."),
            };
            if (!ok)
            {
                return false;
            }
        }

        if (parsed is null || number is null)
        {
            return Fail(out error, $"{field} needs both type and value.");
        }

        kind = parsed.Value;
        amount = number.Value;
        return true;
    }

    private static bool TryRollout(JsonNode value, out JobRollout? rollout, out string? error)
    {
        rollout = null;
        error = null;
        if (value is not JsonObject obj)
        {
            return Fail(out error, "Field 'rollout' must be an object.");
        }

        int? perMinute = null, successes = null, maximum = null;
        double? factor = null;
        foreach (var (name, member) in obj)
        {
            var ok = name switch
            {
                "devicesPerMinute" => member is not null && TryInt(member, out var n) && (perMinute = n) is not null || Fail(out error, "rollout.devicesPerMinute must be a whole number."),
                "incrementFactor" => member is null || (TryNumber(member, out var f) && (factor = f) is not null) || Fail(out error, "rollout.incrementFactor must be a number."),
                "successesPerIncrement" => member is null || (TryInt(member, out var s) && (successes = s) is not null) || Fail(out error, "rollout.successesPerIncrement must be a whole number."),
                "maximumPerMinute" => member is null || (TryInt(member, out var m) && (maximum = m) is not null) || Fail(out error, "rollout.maximumPerMinute must be a whole number."),
                _ => Fail(out error, $"Unknown field '{name}' in rollout."),
            };
            if (!ok)
            {
                return false;
            }
        }

        if (perMinute is null)
        {
            return Fail(out error, "rollout.devicesPerMinute is required.");
        }

        rollout = new JobRollout(perMinute.Value, factor, successes, maximum);
        return true;
    }

    private static bool TryAbort(JsonNode value, out JobAbort? abort, out string? error)
    {
        abort = null;
        error = null;
        if (value is not JsonObject obj)
        {
            return Fail(out error, "Field 'abort' must be an object.");
        }

        double? rate = null;
        int? minimum = null;
        foreach (var (name, member) in obj)
        {
            var ok = name switch
            {
                "failureRate" => member is not null && TryNumber(member, out var r) && (rate = r) is not null || Fail(out error, "abort.failureRate must be a percentage."),
                "minimumDevices" => member is not null && TryInt(member, out var m) && (minimum = m) is not null || Fail(out error, "abort.minimumDevices must be a whole number."),
                _ => Fail(out error, $"Unknown field '{name}' in abort."),
            };
            if (!ok)
            {
                return false;
            }
        }

        if (rate is null || minimum is null)
        {
            return Fail(out error, "abort needs both failureRate and minimumDevices.");
        }

        abort = new JobAbort(rate.Value, minimum.Value);
        return true;
    }

    private static JobDataKind? ParseKind(string? type) => type switch
    {
        "property" => JobDataKind.Property,
        "cloudProperty" => JobDataKind.CloudProperty,
        "command" => JobDataKind.Command,
        "deviceTemplateMigration" => JobDataKind.DeviceTemplateMigration,
        "deviceManifestMigration" => JobDataKind.DeviceManifestMigration,
        _ => null,
    };

    private static string Name(JobDataKind kind) => kind switch
    {
        JobDataKind.Property => "property",
        JobDataKind.CloudProperty => "cloudProperty",
        JobDataKind.Command => "command",
        JobDataKind.DeviceTemplateMigration => "deviceTemplateMigration",
        _ => "deviceManifestMigration",
    };

    private static string Name(JobAmountKind kind) => kind == JobAmountKind.Number ? "number" : "percentage";

    private static bool Keep(JsonNode? value, out JsonNode? kept)
    {
        kept = value?.DeepClone();
        return true;
    }

    internal static bool Fail(out string? error, string message)
    {
        error = message;
        return false;
    }

    internal static bool TryString(JsonNode node, out string? text)
    {
        text = node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : null;
        return text is not null;
    }

    private static bool TryStrings(JsonNode node, out List<string>? values)
    {
        values = node is JsonArray array && array.All(v => v is not null && v.GetValueKind() == JsonValueKind.String)
            ? array.Select(v => v!.GetValue<string>()).ToList()
            : null;
        return values is not null;
    }

    internal static bool TryBool(JsonNode node, out bool value)
    {
        var kind = node.GetValueKind();
        value = kind == JsonValueKind.True;
        return kind is JsonValueKind.True or JsonValueKind.False;
    }

    private static bool TryNumber(JsonNode node, out double value)
    {
        value = 0;
        return node.GetValueKind() == JsonValueKind.Number && node.AsValue().TryGetValue(out value) && double.IsFinite(value);
    }

    private static bool TryInt(JsonNode node, out int value)
    {
        value = 0;
        return node.GetValueKind() == JsonValueKind.Number && node.AsValue().TryGetValue(out value);
    }

    private static bool TrySeconds(JsonNode node, out TimeSpan? value)
    {
        value = null;
        if (!TryInt(node, out var seconds) || seconds < 0)
        {
            return false;
        }

        value = TimeSpan.FromSeconds(seconds);
        return true;
    }
}
