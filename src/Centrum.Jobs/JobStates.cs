namespace Centrum.Jobs;

/// <summary>The status names IoT Central uses on the wire, which are also how the jobs area stores them.</summary>
public static class JobStates
{
    public static string Name(JobStatus status) => status switch
    {
        JobStatus.Pending => "pending",
        JobStatus.Running => "running",
        JobStatus.Stopped => "stopped",
        JobStatus.Complete => "complete",
        JobStatus.Cancelled => "cancelled",
        _ => "failed",
    };

    public static string Name(JobDeviceState state) => state switch
    {
        JobDeviceState.Pending => "pending",
        JobDeviceState.Running => "running",
        JobDeviceState.Completed => "completed",
        _ => "failed",
    };

    public static JobStatus ParseStatus(string name) => name switch
    {
        "pending" => JobStatus.Pending,
        "running" => JobStatus.Running,
        "stopped" => JobStatus.Stopped,
        "complete" => JobStatus.Complete,
        "cancelled" => JobStatus.Cancelled,
        _ => JobStatus.Failed,
    };

    public static JobDeviceState ParseDeviceState(string name) => name switch
    {
        "pending" => JobDeviceState.Pending,
        "running" => JobDeviceState.Running,
        "completed" => JobDeviceState.Completed,
        _ => JobDeviceState.Failed,
    };

    /// <summary>Whether a job in this status will do nothing more unless re-run.</summary>
    public static bool IsFinished(JobStatus status) => status is JobStatus.Complete or JobStatus.Cancelled or JobStatus.Failed;
}
