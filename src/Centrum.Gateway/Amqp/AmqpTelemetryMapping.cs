using System.Globalization;
using Centrum.Gateway.Authentication;
using Centrum.IotHub;
using Centrum.Telemetry;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Encoding;
using Microsoft.Azure.Amqp.Framing;

namespace Centrum.Gateway.Amqp;

/// <summary>
/// A device-to-cloud AMQP message as IoT Hub reads it (IoT Hub docs "Create and read IoT Hub messages"; the SDKs'
/// mapping: azure-iot-sdk-csharp <c>AmqpIotMessageConverter</c>, azure-iot-sdk-node <c>amqp_message.ts</c>): the
/// properties section carries message-id, correlation-id, content-type and content-encoding; application properties
/// are the user properties; <c>dt-subject</c> (the component) comes as a message annotation or property; the body is
/// the Data sections (or an AMQP value holding a string or binary).
/// </summary>
internal static class AmqpTelemetryMapping
{
    /// <summary>Messages in one batch (<c>sendEventBatch</c>, format 0x80013700) at most; the whole batch also stays within one message's size.</summary>
    public const int MaxBatchCount = 500;

    /// <summary>Application properties looked at per message; a message with more is refused.</summary>
    public const int MaxProperties = 512;

    public readonly record struct Result(TelemetryMessage? Message, Error? Error)
    {
        public static Result Refuse(AmqpSymbol condition, string description) => new(null, new Error { Condition = condition, Description = description });
    }

    public static Result ToTelemetry(AmqpMessage message, DeviceIdentity identity, DateTimeOffset now)
    {
        var size = 0;
        var body = Body(message, ref size);
        if (body is null)
        {
            return Result.Refuse(AmqpErrorCode.InvalidField, "The message body is neither Data sections nor a string or binary value.");
        }

        var properties = new List<KeyValuePair<string, string?>>();
        string? component = null, creation = null;
        if (message.ApplicationProperties?.Map is { } map)
        {
            if (map.Count > MaxProperties)
            {
                return Result.Refuse(AmqpErrorCode.MessageSizeExceeded, "The message carries too many application properties.");
            }

            foreach (var pair in map)
            {
                var key = pair.Key.Key?.ToString();
                if (string.IsNullOrEmpty(key))
                {
                    continue;
                }

                var value = Text(pair.Value);
                size += key.Length + (value?.Length ?? 0);
                if (key is "dt-subject" or "$.sub")
                {
                    component = value;
                    continue;
                }

                if (key == "iothub-creation-time-utc")
                {
                    creation = value;
                }

                properties.Add(new(key, value));
            }
        }

        if (message.MessageAnnotations?.Map is { } annotations && annotations.TryGetValue<string>("dt-subject", out var subject))
        {
            component = subject;
        }

        var p = message.Properties;
        var messageId = Text(p?.MessageId);
        var correlationId = Text(p?.CorrelationId);
        var contentType = p?.ContentType.Value;
        var contentEncoding = p?.ContentEncoding.Value;
        size += (messageId?.Length ?? 0) + (correlationId?.Length ?? 0) + (contentType?.Length ?? 0) + (contentEncoding?.Length ?? 0) + (component?.Length ?? 0);
        if (size > IotHubLimits.MaxTelemetrySize)
        {
            return Result.Refuse(AmqpErrorCode.MessageSizeExceeded, "The message is larger than 256 KB.");
        }

        if (messageId?.Length > IotHubLimits.MaxMessageIdLength)
        {
            return Result.Refuse(AmqpErrorCode.InvalidField, "The message id is longer than 128 characters.");
        }

        DateTimeOffset? creationTime = DateTimeOffset.TryParse(creation, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
            ? parsed
            : p?.CreationTime is { } created ? new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)) : null;

        return new Result(new TelemetryMessage
        {
            ApplicationId = identity.Application.Id,
            DeviceId = identity.DeviceId,
            ModuleId = identity.ModuleId,
            Component = component,
            MessageId = messageId,
            CorrelationId = correlationId,
            ContentType = contentType,
            ContentEncoding = contentEncoding,
            CreationTime = creationTime,
            Properties = properties,
            Body = body,
            EnqueuedTime = now,
        }, null);
    }

    /// <summary>
    /// <see cref="ToTelemetry"/> for a message whose sections are decoded as they are read: a batch's message (a Data
    /// section of a format 0x80013700 message) is decoded by this server, not by the library's frame reader, so
    /// malformed encodings arrive here, and refuse the message.
    /// </summary>
    public static Result DecodeToTelemetry(AmqpMessage part, DeviceIdentity identity, DateTimeOffset now)
    {
        try
        {
            return ToTelemetry(part, identity, now);
        }
        catch (Exception ex) when (AmqpRequestMapping.IsDecodeFault(ex))
        {
            return Result.Refuse(AmqpErrorCode.DecodeError, "A message of the batch is not a valid AMQP message.");
        }
    }

    /// <summary>The messages a batch (format 0x80013700) holds: each Data section is one whole encoded message.</summary>
    public static List<AmqpMessage>? Unbatch(AmqpMessage batch)
    {
        var parts = new List<AmqpMessage>();
        var size = 0;
        foreach (var data in batch.DataBody ?? [])
        {
            if (Bytes(data.Value) is not { } segment || parts.Count >= MaxBatchCount || (size += segment.Count) > IotHubLimits.MaxTelemetrySize)
            {
                foreach (var part in parts)
                {
                    part.Dispose();
                }

                return null;
            }

            var inner = AmqpMessage.CreateAmqpStreamMessage(new BufferListStream([segment]));
            parts.Add(inner);
        }

        return parts;
    }

    /// <summary>The body of a twin or method message (Data sections, or a string or binary value); null when it is neither or over 256 KB.</summary>
    public static byte[]? BodyBytes(AmqpMessage message)
    {
        var size = 0;
        var body = Body(message, ref size);
        return size > IotHubLimits.MaxTelemetrySize ? null : body;
    }

    private static byte[]? Body(AmqpMessage message, ref int size)
    {
        if ((message.BodyType & SectionFlag.Data) != 0)
        {
            using var stream = new MemoryStream();
            foreach (var data in message.DataBody)
            {
                if (Bytes(data.Value) is not { } segment || stream.Length + segment.Count > IotHubLimits.MaxTelemetrySize + 1)
                {
                    return stream.Length > IotHubLimits.MaxTelemetrySize ? Oversize(ref size) : null;
                }

                stream.Write(segment);
                if (stream.Length > IotHubLimits.MaxTelemetrySize)
                {
                    return Oversize(ref size);
                }
            }

            size += (int)stream.Length;
            return stream.ToArray();
        }

        if ((message.BodyType & SectionFlag.AmqpValue) != 0)
        {
            var bytes = message.ValueBody.Value switch
            {
                string text => System.Text.Encoding.UTF8.GetBytes(text),
                _ => Bytes(message.ValueBody.Value)?.ToArray(),
            };
            if (bytes is not null)
            {
                size += bytes.Length;
            }

            return bytes;
        }

        return (message.BodyType & SectionFlag.Body) == 0 ? [] : null;
    }

    /// <summary>An over-size body: its size alone refuses the message, so its bytes are not kept.</summary>
    private static byte[] Oversize(ref int size)
    {
        size = IotHubLimits.MaxTelemetrySize + 1;
        return [];
    }

    private static ArraySegment<byte>? Bytes(object? value) => value switch
    {
        ArraySegment<byte> segment => segment,
        byte[] array => new ArraySegment<byte>(array),
        _ => (ArraySegment<byte>?)null,
    };

    private static string? Text(object? value) => value switch
    {
        null => null,
        string text => text,
        AmqpSymbol symbol => symbol.Value,
        DateTime time => time.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
        ArraySegment<byte> bytes => Convert.ToBase64String(bytes),
        byte[] bytes => Convert.ToBase64String(bytes),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
