namespace Centrum.Export;

/// <summary>IoT Central's <c>DataExportError</c>.</summary>
public sealed record ExportError(string Code, string Message);

/// <summary>
/// The runtime state of an export (or a destination), combined over its deliveries: IoT Central's <c>status</c>,
/// <c>errors</c> and <c>lastExportTime</c>, plus Centrum's delivery figures.
/// </summary>
public sealed record ExportStatus(
    string Status,
    IReadOnlyList<ExportError> Errors,
    DateTimeOffset? LastExportTime,
    long Delivered,
    long Failed,
    long Backlog,
    TimeSpan? BacklogAge);
