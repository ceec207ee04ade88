using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Api.Infrastructure;
using Centrum.Jobs;
using Centrum.Jobs.Scheduling;

namespace Centrum.Api.Jobs;

/// <summary>
/// IoT Central's <c>ScheduledJob</c> body (REST API 2022-07-31, definitions <c>ScheduledJob</c>, <c>JobSchedule</c>,
/// <c>DateJobScheduleEnd</c>, <c>OccurrencesJobScheduleEnd</c>): the job definition is read by <see cref="JobJson"/>,
/// the scheduled job's own fields here, strictly. Times are UTC.
/// </summary>
internal static class ScheduledJobJson
{
    /// <summary>The fields read here rather than by <see cref="JobJson"/>; <c>completed</c> is read-only and ignored when sent back.</summary>
    private static readonly HashSet<string> Handled = ["schedule", "enabled", "etag", "completed"];

    public static JsonObject ToResponse(ScheduledJob job)
    {
        var body = new JsonObject { ["id"] = job.Id };
        JobJson.Write(body, job.Definition);
        body["schedule"] = Write(job.Schedule);
        body["enabled"] = job.Enabled;
        body["completed"] = job.Completed;
        body["etag"] = job.ETag;
        return body;
    }

    /// <summary>What a caller could have written to make <paramref name="write"/>: the document a merge patch applies to.</summary>
    public static JsonObject ToDocument(ScheduledJobWrite write)
    {
        var body = new JsonObject();
        JobJson.Write(body, write.Definition);
        body["schedule"] = Write(write.Schedule);
        body["enabled"] = write.Enabled;
        return body;
    }

    /// <summary>Reads a scheduled-job body; <paramref name="id"/> is the id in the path, which a body's <c>id</c> must match.</summary>
    public static bool TryRead(JsonNode? body, string id, out ScheduledJobWrite write, out string? etag, out string? error)
    {
        write = new ScheduledJobWrite(new JobDefinition(null, null, null, null, []), new JobSchedule(default));
        etag = null;
        error = null;
        if (body is not JsonObject obj)
        {
            error = "The request body must be a JSON object.";
            return false;
        }

        JobSchedule? schedule = null;
        var enabled = true;
        foreach (var (name, value) in obj)
        {
            var ok = name switch
            {
                "schedule" => TrySchedule(value, out schedule, out error),
                "enabled" => value is null || JobJson.TryBool(value, out enabled) || JobJson.Fail(out error, "Field 'enabled' must be true or false."),
                "etag" => value is null || JobJson.TryString(value, out etag) || JobJson.Fail(out error, "Field 'etag' must be a string."),
                _ => true,
            };
            if (!ok)
            {
                return false;
            }
        }

        if (schedule is null)
        {
            error = "Field 'schedule' is required: at least its start.";
            return false;
        }

        if (!JobJson.TryRead(body, id, Handled, out var definition, out error))
        {
            return false;
        }

        write = new ScheduledJobWrite(definition, schedule, enabled);
        return true;
    }

    private static JsonObject Write(JobSchedule schedule)
    {
        var node = new JsonObject { ["start"] = IotCentralTime.ToText(schedule.Start) };
        if (schedule.Recurrence is { } recurrence)
        {
            node["recurrence"] = Name(recurrence);
        }

        if (schedule.EndDate is { } date)
        {
            node["end"] = new JsonObject { ["type"] = "date", ["date"] = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) };
        }
        else if (schedule.EndOccurrences is { } occurrences)
        {
            node["end"] = new JsonObject { ["type"] = "occurrences", ["occurrences"] = occurrences };
        }

        return node;
    }

    private static bool TrySchedule(JsonNode? value, out JobSchedule? schedule, out string? error)
    {
        schedule = null;
        error = null;
        if (value is not JsonObject obj)
        {
            return JobJson.Fail(out error, "Field 'schedule' must be an object with start, and optionally recurrence and end.");
        }

        DateTimeOffset? start = null;
        JobRecurrence? recurrence = null;
        DateOnly? endDate = null;
        int? occurrences = null;
        foreach (var (name, member) in obj)
        {
            var ok = name switch
            {
                "start" => member is not null && JobJson.TryString(member, out var text) && TryTime(text!, out start) || JobJson.Fail(out error, "schedule.start must be a date-time (ISO 8601, UTC or with an offset)."),
                "recurrence" => member is null || JobJson.TryString(member, out var r) && (recurrence = ParseRecurrence(r)) is not null
                    || JobJson.Fail(out error, "schedule.recurrence must be daily, weekly or monthly (or absent for a one-off job)."),
                "end" => member is null || TryEnd(member, out endDate, out occurrences, out error),
                _ => JobJson.Fail(out error, $"Unknown field '{name}' in schedule."),
            };
            if (!ok)
            {
                return false;
            }
        }

        if (start is null)
        {
            return JobJson.Fail(out error, "schedule.start is required.");
        }

        schedule = new JobSchedule(start.Value, recurrence, endDate, occurrences);
        return true;
    }

    private static bool TryEnd(JsonNode value, out DateOnly? date, out int? occurrences, out string? error)
    {
        date = null;
        occurrences = null;
        error = null;
        if (value is not JsonObject obj || obj["type"] is not { } typeNode || !JobJson.TryString(typeNode, out var type) || type is not ("date" or "occurrences"))
        {
            return JobJson.Fail(out error, "schedule.end must be an object whose type is date or occurrences.");
        }

        foreach (var (name, member) in obj)
        {
            var ok = name switch
            {
                "type" => true,
                "date" when type == "date" => member is not null && JobJson.TryString(member, out var text)
                    && DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed) && (date = parsed) is not null
                    || JobJson.Fail(out error, "schedule.end.date must be a date (yyyy-MM-dd, UTC)."),
                "occurrences" when type == "occurrences" => member is not null && member.GetValueKind() == JsonValueKind.Number && member.AsValue().TryGetValue(out int n) && (occurrences = n) is not null
                    || JobJson.Fail(out error, "schedule.end.occurrences must be a whole number."),
                _ => JobJson.Fail(out error, $"Unknown field '{name}' in schedule.end of type {type}."),
            };
            if (!ok)
            {
                return false;
            }
        }

        return date is not null || occurrences is not null || JobJson.Fail(out error, $"schedule.end of type {type} needs its {type}.");
    }

    private static bool TryTime(string text, out DateTimeOffset? time)
    {
        // A date-time (RFC 3339 as the swagger's format says); one without an offset is read as UTC.
        time = DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed) && text.Contains('T', StringComparison.Ordinal)
            ? parsed
            : null;
        return time is not null;
    }

    private static JobRecurrence? ParseRecurrence(string? text) => text switch
    {
        "daily" => JobRecurrence.Daily,
        "weekly" => JobRecurrence.Weekly,
        "monthly" => JobRecurrence.Monthly,
        _ => null,
    };

    private static string Name(JobRecurrence recurrence) => recurrence switch
    {
        JobRecurrence.Daily => "daily",
        JobRecurrence.Weekly => "weekly",
        _ => "monthly",
    };
}
