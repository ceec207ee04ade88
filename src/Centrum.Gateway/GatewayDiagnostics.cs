using System.Diagnostics;
using Centrum.Gateway.Authentication;

namespace Centrum.Gateway;

/// <summary>The gateway's traces: one <c>mqtt.publish</c> activity per telemetry PUBLISH, parent of the store's commit.</summary>
public static class GatewayDiagnostics
{
    public const string SourceName = "Centrum.Gateway";

    internal static readonly ActivitySource Source = new(SourceName);

    /// <summary>
    /// Starts the activity of one telemetry PUBLISH, or returns null when nobody listens (the usual case without an
    /// exporter: no allocation). While it is <see cref="Activity.Current"/>, work the message starts is its child.
    /// </summary>
    internal static Activity? StartPublish(DeviceIdentity identity, byte qos)
    {
        var activity = Source.StartActivity("mqtt.publish", ActivityKind.Server);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("centrum.application.id", identity.Application.Id);
            activity.SetTag("centrum.device.id", identity.DeviceId);
            if (identity.ModuleId is not null)
            {
                activity.SetTag("centrum.module.id", identity.ModuleId);
            }

            activity.SetTag("mqtt.qos", qos);
        }

        return activity;
    }
}
