using System.Globalization;
using System.Text;
using System.Text.Json;
using Centrum.Gateway.Authentication;
using Centrum.IotHub;
using Centrum.Telemetry;
using Microsoft.AspNetCore.Http;

namespace Centrum.Gateway.Https;

/// <summary>Telemetry parsed from an HTTPS request, or IoT Hub's refusal of it.</summary>
internal readonly record struct HttpsMessageResult(IReadOnlyList<TelemetryMessage> Value, int Status, string Code, string Message)
{
    public bool Succeeded => Status == 0;

    public static HttpsMessageResult Refuse(int status, string code, string message) => new([], status, code, message);
}

/// <summary>
/// Device-to-cloud messages as the HTTPS device API carries them (IoT Hub REST reference "Device - Send Device Event";
/// azure-iot-device-http <c>sendEvent</c>/<c>sendEventBatch</c>, C# <c>HttpTransportHandler.SendEventAsync</c>):
/// application properties as <c>iothub-app-{name}</c> headers, system properties as <c>iothub-messageid</c>,
/// <c>iothub-correlationid</c>, <c>iothub-contenttype</c>, <c>iothub-contentencoding</c>, <c>iothub-creationtimeutc</c>
/// and the component as <c>dt-subject</c>; a batch as <c>[{"body":"base64","properties":{same names}}]</c>. Each
/// message is held to the MQTT path's limits: 256 KB with its properties, a message id of at most 128 characters.
/// </summary>
internal static class HttpsMessages
{
    private const string AppPrefix = "iothub-app-";

    /// <summary>Messages in one batch: a bound on the work one request makes the server do.</summary>
    private const int MaxBatchMessages = 500;

    public static HttpsMessageResult FromRequest(IHeaderDictionary headers, byte[] body, DeviceIdentity identity, DateTimeOffset now)
    {
        var properties = new List<KeyValuePair<string, string>>();
        foreach (var (name, values) in headers)
        {
            if (name.StartsWith("iothub-", StringComparison.OrdinalIgnoreCase) || name.Equals("dt-subject", StringComparison.OrdinalIgnoreCase))
            {
                properties.Add(new(name, values.ToString()));
            }
        }

        var message = Build(properties, body, identity, now, out var refusal);
        return message is null ? refusal : new HttpsMessageResult([message], 0, "", "");
    }

    public static HttpsMessageResult ParseBatch(byte[] body, DeviceIdentity identity, DateTimeOffset now)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException)
        {
            return Invalid("The batch is not JSON.");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return Invalid("A batch is a JSON array of messages.");
            }

            if (document.RootElement.GetArrayLength() is 0 or > MaxBatchMessages)
            {
                return Invalid("A batch holds 1 to 500 messages.");
            }

            var messages = new List<TelemetryMessage>();
            var total = 0;
            foreach (var item in document.RootElement.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("body", out var bodyText) || bodyText.ValueKind != JsonValueKind.String)
                {
                    return Invalid("Each message of a batch is an object with a string body.");
                }

                var base64 = !item.TryGetProperty("base64Encoded", out var encoded) || encoded.ValueKind != JsonValueKind.False;
                byte[] bytes;
                if (base64)
                {
                    if (!bodyText.TryGetBytesFromBase64(out var decoded))
                    {
                        return Invalid("A message body of a batch is not base64.");
                    }

                    bytes = decoded;
                }
                else
                {
                    bytes = Encoding.UTF8.GetBytes(bodyText.GetString()!);
                }

                var properties = new List<KeyValuePair<string, string>>();
                if (item.TryGetProperty("properties", out var bag))
                {
                    if (bag.ValueKind != JsonValueKind.Object)
                    {
                        return Invalid("A message's properties are an object of strings.");
                    }

                    foreach (var property in bag.EnumerateObject())
                    {
                        if (property.Value.ValueKind != JsonValueKind.String)
                        {
                            return Invalid("A message's properties are an object of strings.");
                        }

                        properties.Add(new(property.Name, property.Value.GetString()!));
                    }
                }

                if (Build(properties, bytes, identity, now, out var refusal) is not { } message)
                {
                    return refusal;
                }

                total += Size(message);
                if (total > IotHubLimits.MaxTelemetrySize)
                {
                    return TooLarge();
                }

                messages.Add(message);
            }

            return new HttpsMessageResult(messages, 0, "", "");
        }
    }

    private static TelemetryMessage? Build(List<KeyValuePair<string, string>> properties, byte[] body, DeviceIdentity identity, DateTimeOffset now, out HttpsMessageResult refusal)
    {
        string? messageId = null, correlationId = null, contentType = null, contentEncoding = null, component = null;
        DateTimeOffset? created = null;
        var application = new List<KeyValuePair<string, string?>>();
        foreach (var (name, value) in properties)
        {
            if (name.StartsWith(AppPrefix, StringComparison.OrdinalIgnoreCase))
            {
                var key = name[AppPrefix.Length..];
                application.RemoveAll(p => p.Key == key);
                application.Add(new(key, value));
                continue;
            }

            switch (name.ToLowerInvariant())
            {
                case "iothub-messageid": messageId = value; break;
                case "iothub-correlationid": correlationId = value; break;
                case "iothub-contenttype": contentType = value; break;
                case "iothub-contentencoding": contentEncoding = value; break;
                case "dt-subject": component = value; break;
                case "iothub-creationtimeutc":
                    created = DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time) ? time : null;
                    break;
            }
        }

        if (messageId?.Length > IotHubLimits.MaxMessageIdLength)
        {
            refusal = Invalid("The message id is longer than 128 characters.");
            return null;
        }

        var message = new TelemetryMessage
        {
            ApplicationId = identity.Application.Id,
            DeviceId = identity.DeviceId,
            ModuleId = identity.ModuleId,
            Component = component,
            MessageId = messageId,
            CorrelationId = correlationId,
            ContentType = contentType,
            ContentEncoding = contentEncoding,
            CreationTime = created,
            Properties = application,
            Body = body,
            EnqueuedTime = now,
        };
        if (Size(message) > IotHubLimits.MaxTelemetrySize)
        {
            refusal = TooLarge();
            return null;
        }

        refusal = default;
        return message;
    }

    /// <summary>What a message counts toward the 256 KB limit, as on MQTT: body, system property values, application property names and values.</summary>
    private static int Size(TelemetryMessage message)
    {
        var size = message.Body.Length + (message.MessageId?.Length ?? 0) + (message.CorrelationId?.Length ?? 0) + (message.ContentType?.Length ?? 0)
            + (message.ContentEncoding?.Length ?? 0) + (message.Component?.Length ?? 0);
        foreach (var (key, value) in message.Properties)
        {
            size += key.Length + (value?.Length ?? 0);
        }

        return size;
    }

    private static HttpsMessageResult Invalid(string message) => HttpsMessageResult.Refuse(StatusCodes.Status400BadRequest, "ArgumentInvalid", message);

    private static HttpsMessageResult TooLarge() => HttpsMessageResult.Refuse(StatusCodes.Status413RequestEntityTooLarge, "MessageTooLarge", "The message is larger than 256 KB.");
}
