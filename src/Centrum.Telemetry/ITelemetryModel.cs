using System.Text.Json;

namespace Centrum.Telemetry;

/// <summary>Says whether a telemetry value is one the device's template declares (by component, name and schema).</summary>
public delegate bool TelemetryDeclaration(string? component, string name, JsonElement value);

/// <summary>
/// The seam through which templates interpret telemetry: the store keeps every value and marks those the template does
/// not declare as unmodeled. A device without a template has nothing modeled.
/// </summary>
public interface ITelemetryModel
{
    /// <summary>The declaration of the device's telemetry, or of its module's when <paramref name="moduleId"/> is given; null when nothing is modeled.</summary>
    ValueTask<TelemetryDeclaration?> ForDeviceAsync(string applicationId, string deviceId, string? moduleId, CancellationToken cancellationToken);
}
