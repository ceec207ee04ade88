namespace Centrum.Security;

/// <summary>
/// Whether a SAS token's <c>sr</c> names an identity: <c>{host}/devices/{deviceId}</c> or
/// <c>{host}/devices/{deviceId}/modules/{moduleId}</c> (IoT Hub docs "Control access to IoT Hub with shared access
/// signatures"). The signature covers <c>sr</c> as sent, and clients encode the id segments differently: the Node SDK
/// once, the C# SDK and the IoT Edge hub's client token twice (<c>%2524edgeHub</c>), the IoT Edge hub's service token
/// three times, and the IoT Edge identity service lowercases the whole resource (Azure/iotedge
/// <c>edge-util/src/Microsoft.Azure.Devices.Edge.Util/SasTokenHelper.cs</c>; Azure/iot-identity-service
/// <c>identity/aziot-cloud-client-async/src/connector.rs</c>). So each segment is decoded until it no longer changes,
/// host and device id compare without regard to case (the key that signed the token is the named device's, so case
/// cannot reach another device's keys) and the module id exactly.
/// </summary>
public static class SasResource
{
    /// <summary>Encodings seen are at most three deep; one more round covers a client that encodes once more.</summary>
    private const int MaxDecodeRounds = 4;

    /// <param name="resource">The token's <c>sr</c>, decoded once.</param>
    public static bool Names(string resource, string hostName, string deviceId, string? moduleId)
    {
        var segments = resource.Split('/');
        if (segments.Length != (moduleId is null ? 3 : 5))
        {
            return false;
        }

        return string.Equals(Decoded(segments[0]), hostName, StringComparison.OrdinalIgnoreCase)
            && Decoded(segments[1]) == "devices"
            && string.Equals(Decoded(segments[2]), deviceId, StringComparison.OrdinalIgnoreCase)
            && (moduleId is null || (Decoded(segments[3]) == "modules" && Decoded(segments[4]) == moduleId));
    }

    /// <summary>
    /// The identity <paramref name="resource"/> names, each segment decoded as <see cref="Names"/> decodes it: for a token
    /// that names an identity other than the client's, such as the IoT Edge hub's own on a downstream device's connection.
    /// </summary>
    /// <param name="resource">The token's <c>sr</c>, decoded once.</param>
    public static bool TryIdentity(string resource, out string hostName, out string deviceId, out string? moduleId)
    {
        var segments = resource.Split('/');
        hostName = segments.Length > 0 ? Decoded(segments[0]) : "";
        deviceId = segments.Length > 2 ? Decoded(segments[2]) : "";
        moduleId = segments.Length == 5 ? Decoded(segments[4]) : null;
        return segments.Length is 3 or 5 && Decoded(segments[1]) == "devices" && deviceId.Length > 0
            && (segments.Length == 3 || (Decoded(segments[3]) == "modules" && moduleId!.Length > 0));
    }

    private static string Decoded(string segment)
    {
        for (var round = 0; round < MaxDecodeRounds && segment.Contains('%', StringComparison.Ordinal); round++)
        {
            string next;
            try
            {
                next = Uri.UnescapeDataString(segment);
            }
            catch (UriFormatException)
            {
                return segment;
            }

            if (next == segment)
            {
                break;
            }

            segment = next;
        }

        return segment;
    }
}
