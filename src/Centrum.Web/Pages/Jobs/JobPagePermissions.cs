using Centrum.Identity.Authorization;

namespace Centrum.Web.Pages.Jobs;

/// <summary>
/// The permission each thing the job pages do needs: the one REST requires for the same operation, so a page offers an
/// action only to a caller holding it and hands the jobs area the caller's reach for it. The authorization matrix
/// holds this table to REST's (endpoint-permissions.txt).
/// </summary>
public static class JobPagePermissions
{
    /// <summary>The list: REST's <c>GET /api/jobs</c>.</summary>
    public const Permission List = Permission.JobsRead;

    /// <summary>A job's progress per device: REST's <c>GET /api/jobs/{jobId}</c> and <c>GET /api/jobs/{jobId}/devices</c>.</summary>
    public const Permission Read = Permission.JobsRead;

    /// <summary>Creating a job: REST's <c>PUT /api/jobs/{jobId}</c>.</summary>
    public const Permission Create = Permission.JobsExecute;

    /// <summary>The device groups a new job may target: REST's <c>GET /api/deviceGroups</c>.</summary>
    public const Permission ChooseGroup = Permission.DeviceGroupsRead;

    /// <summary>
    /// The job form's choice of template and the value form generated from the capability's schema: REST's
    /// <c>GET /api/deviceTemplates/</c> and <c>GET /api/deviceTemplates/{deviceTemplateId}</c>.
    /// </summary>
    public const Permission ChooseTemplate = Permission.TemplatesRead;

    /// <summary>The scheduled job list: REST's <c>GET /api/scheduledJobs/</c>.</summary>
    public const Permission ScheduledList = Permission.JobsRead;

    /// <summary>A scheduled job and the jobs it started: REST's <c>GET /api/scheduledJobs/{scheduledJobId}</c> and <c>GET /api/scheduledJobs/{scheduledJobId}/jobs</c>.</summary>
    public const Permission ScheduledRead = Permission.JobsRead;

    /// <summary>Creating a scheduled job: REST's <c>PUT /api/scheduledJobs/{scheduledJobId}</c>.</summary>
    public const Permission ScheduledCreate = Permission.JobsCreate;

    /// <summary>Changing a scheduled job's schedule, job or enabled state: REST's <c>PATCH /api/scheduledJobs/{scheduledJobId}</c>.</summary>
    public const Permission ScheduledUpdate = Permission.JobsUpdate;

    /// <summary>Deleting a scheduled job: REST's <c>DELETE /api/scheduledJobs/{scheduledJobId}</c>.</summary>
    public const Permission ScheduledDelete = Permission.JobsDelete;

    /// <summary>Stopping a job: REST's <c>POST /api/jobs/{jobId}/stop</c>.</summary>
    public const Permission Stop = Permission.JobsExecute;

    /// <summary>Resuming a stopped job: REST's <c>POST /api/jobs/{jobId}/resume</c>.</summary>
    public const Permission Resume = Permission.JobsExecute;

    /// <summary>Running a job again on its failed devices: REST's <c>PUT /api/jobs/{jobId}/rerun/{rerunId}</c>.</summary>
    public const Permission Rerun = Permission.JobsExecute;
}
