using System.Globalization;
using System.Text.Json.Nodes;

namespace Centrum.Provisioning.Registration;

/// <summary>
/// A DPS answer: status, JSON body, and the seconds to wait before polling. Every answer has a JSON body, errors
/// included: the Node SDK parses every body, even for 429 and 5xx (azure-iot-sdk-node, provisioning/transport/mqtt/src/mqtt.ts).
/// </summary>
public sealed record RegistrationAnswer(int Status, JsonObject Body, int? RetryAfter = null)
{
    public static RegistrationAnswer Error(int status, int errorCode, string message, DateTimeOffset now, int? retryAfter = null) => new(status, new JsonObject
    {
        ["errorCode"] = errorCode,
        ["trackingId"] = Guid.NewGuid().ToString(),
        ["message"] = message,
        ["timestampUtc"] = now.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
    }, retryAfter);
}
