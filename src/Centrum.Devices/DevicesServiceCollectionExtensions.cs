using Microsoft.Extensions.DependencyInjection;

namespace Centrum.Devices;

public static class DevicesServiceCollectionExtensions
{
    public static IServiceCollection AddCentrumDevices(this IServiceCollection services) =>
        services.AddSingleton<DeviceRegistry>()
            .AddSingleton<ModuleRegistry>()
            .AddSingleton<EdgeDeviceScope>()
            .AddSingleton<DeviceRelationships>()
            .AddSingleton<DeviceBulkActions>()
            .AddSingleton<DeviceConnectionDetails>()
            .AddSingleton<FileUploads.FileUploadService>()
            .AddSingleton<IDeviceDirectory, DeviceDirectory>()
            .AddSingleton<Centrum.Storage.Ownership.IModulePresence, Storage.ModulePresence>();
}
