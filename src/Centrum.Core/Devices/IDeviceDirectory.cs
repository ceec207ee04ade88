namespace Centrum.Devices;

/// <summary>
/// What other areas may ask about devices, answered by the devices area, which alone reads and writes the device
/// table. Twins, commands, templates and identity ask here instead of querying devices themselves.
/// </summary>
public interface IDeviceDirectory
{
    ValueTask<bool> ExistsAsync(string applicationId, string deviceId, CancellationToken cancellationToken);

    /// <summary>Whether the device holds the module identity (an IoT Edge device's module, whose twin is its own).</summary>
    ValueTask<bool> ModuleExistsAsync(string applicationId, string deviceId, string moduleId, CancellationToken cancellationToken);

    /// <summary>The template the device is assigned to, or <c>null</c> when it has none or does not exist.</summary>
    ValueTask<string?> TemplateOfAsync(string applicationId, string deviceId, CancellationToken cancellationToken);

    /// <summary>Whether any device of the application is assigned to the template (a template in use may only grow).</summary>
    ValueTask<bool> AnyUsingTemplateAsync(string applicationId, string templateId, CancellationToken cancellationToken);

    /// <summary>Whether any device of the application belongs to the organization (an organization in use cannot be deleted).</summary>
    ValueTask<bool> AnyInOrganizationAsync(string applicationId, string organizationId, CancellationToken cancellationToken);
}
