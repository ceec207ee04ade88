namespace Centrum.Storage.Entities;

/// <summary>One execution of a command (direct method), for IoT Central's command history.</summary>
public sealed class CommandRecordEntity
{
    public required string ApplicationId { get; set; }

    public required string Id { get; set; }

    public required string DeviceId { get; set; }

    public string ModuleId { get; set; } = "";

    public string Component { get; set; } = "";

    public required string CommandName { get; set; }

    public int ConnectionTimeout { get; set; }

    public int ResponseTimeout { get; set; }

    public string? Request { get; set; }

    public string? Response { get; set; }

    public int? ResponseCode { get; set; }

    public DateTimeOffset Time { get; set; }
}
