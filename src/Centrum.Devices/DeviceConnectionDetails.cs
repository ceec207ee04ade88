using Centrum.Applications;
using Centrum.Hosting;
using Centrum.Organizations;
using Centrum.Outcomes;
using Microsoft.Extensions.Options;

namespace Centrum.Devices;

/// <summary>
/// How a device connects, as a person needs it after creating one: the application's ID scope and the provisioning
/// host (DPS), the device's keys, its connection string for the hub and a Node SDK provisioning command.
/// </summary>
/// <param name="ProvisioningHost">The server's DPS endpoint: its first host name, where the SDKs' provisioning transports dial (MQTT on 8883, HTTPS on 443), as they dial global.azure-devices-provisioning.net.</param>
/// <param name="ConnectionString">IoT Hub's device connection string (<c>HostName=…;DeviceId=…;SharedAccessKey=…</c>) with the primary key and the application's hub host.</param>
/// <param name="NodeProvisioningCommand">Two shell lines: installing the Azure IoT Node.js SDK packages, then registering through DPS with the primary key and connecting to the hub it assigns.</param>
public sealed record DeviceConnectionInfo(
    string DeviceId,
    string IdScope,
    string ProvisioningHost,
    string HubHostName,
    DeviceKeys Keys,
    string ConnectionString,
    string NodeProvisioningCommand);

/// <summary>
/// The one place that spells out how a device connects (pages, and later the CLI or documentation generators, ask
/// it): the keys come from the registry with the caller's reach, so a caller that does not reach the device learns
/// nothing of it.
/// </summary>
public sealed class DeviceConnectionDetails(DeviceRegistry registry, IOptions<NetworkOptions> network)
{
    /// <summary>
    /// The Node.js packages the command installs: the provisioning client and its MQTT transport, the symmetric-key
    /// security client, and the device client with its MQTT transport (Azure IoT SDK for Node.js, "register_symkey.js").
    /// </summary>
    public const string NodePackages = "azure-iot-provisioning-device azure-iot-provisioning-device-mqtt azure-iot-security-symmetric-key azure-iot-device azure-iot-device-mqtt";

    /// <summary>
    /// The registration and connection: the environment variable names are those of the SDK's provisioning samples.
    /// Written with double quotes only, so the shell's single quotes can hold it.
    /// </summary>
    private const string NodeScript =
        "const e=process.env;" +
        "const {ProvisioningDeviceClient}=require(\"azure-iot-provisioning-device\");" +
        "const {Mqtt}=require(\"azure-iot-provisioning-device-mqtt\");" +
        "const {SymmetricKeySecurityClient}=require(\"azure-iot-security-symmetric-key\");" +
        "const {Client}=require(\"azure-iot-device\");" +
        "const hub=require(\"azure-iot-device-mqtt\");" +
        "const security=new SymmetricKeySecurityClient(e.PROVISIONING_REGISTRATION_ID,e.PROVISIONING_SYMMETRIC_KEY);" +
        "ProvisioningDeviceClient.create(e.PROVISIONING_HOST,e.PROVISIONING_IDSCOPE,new Mqtt(),security).register((err,r)=>{" +
        "if(err)throw err;" +
        "const c=Client.fromConnectionString(\"HostName=\"+r.assignedHub+\";DeviceId=\"+r.deviceId+\";SharedAccessKey=\"+e.PROVISIONING_SYMMETRIC_KEY,hub.Mqtt);" +
        "c.open(err=>{if(err)throw err;console.log(\"connected\",r.deviceId,r.assignedHub);});});";

    public async Task<Outcome<DeviceConnectionInfo>> GetAsync(Application application, string deviceId, OrganizationReach reach, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(application);
        var keys = await registry.CredentialsAsync(application.Id, deviceId, reach, cancellationToken);
        if (!keys.Succeeded)
        {
            return keys.Problem;
        }

        return Describe(application, deviceId, keys.Value, network.Value.EffectiveHostNames[0]);
    }

    /// <summary>The details for keys already read; device ids, keys (base64), host names and ID scopes hold no shell metacharacters.</summary>
    public static DeviceConnectionInfo Describe(Application application, string deviceId, DeviceKeys keys, string provisioningHost)
    {
        ArgumentNullException.ThrowIfNull(application);
        ArgumentNullException.ThrowIfNull(keys);
        var connectionString = $"HostName={application.HubHostName};DeviceId={deviceId};SharedAccessKey={keys.PrimaryKey}";
        var command =
            $"npm install {NodePackages}\n" +
            $"PROVISIONING_HOST='{provisioningHost}' PROVISIONING_IDSCOPE='{application.IdScope}' PROVISIONING_REGISTRATION_ID='{deviceId}' " +
            $"PROVISIONING_SYMMETRIC_KEY='{keys.PrimaryKey}' node -e '{NodeScript}'";
        return new DeviceConnectionInfo(deviceId, application.IdScope, provisioningHost, application.HubHostName, keys, connectionString, command);
    }
}
