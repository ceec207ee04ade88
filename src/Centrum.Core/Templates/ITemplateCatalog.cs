namespace Centrum.Templates;

/// <summary>What other areas may ask about device templates, answered by the templates area, which owns them.</summary>
public interface ITemplateCatalog
{
    ValueTask<bool> ExistsAsync(string applicationId, string templateId, CancellationToken cancellationToken);

    /// <summary>
    /// Whether the template describes an IoT Edge device (its modules): a device assigned it is an IoT Edge device,
    /// <c>type: ["iotEdge"]</c> (IoT Central REST API 2022-10-31-preview, <c>Device.type</c>).
    /// </summary>
    ValueTask<bool> IsEdgeAsync(string applicationId, string templateId, CancellationToken cancellationToken);

    /// <summary>
    /// The template whose capability model is <paramref name="modelId"/>, or <c>null</c>: a device that announces a model
    /// id is associated with it (IoT Central documentation, "Automatically assign a device to a device template").
    /// </summary>
    ValueTask<string?> FindByModelIdAsync(string applicationId, string modelId, CancellationToken cancellationToken);

    /// <summary>
    /// Forgets what is remembered of a device's template after its assignment changed, so the next request
    /// interprets the device by its new template (called by the devices area after it commits the change).
    /// </summary>
    void ForgetDevice(string applicationId, string deviceId);
}
