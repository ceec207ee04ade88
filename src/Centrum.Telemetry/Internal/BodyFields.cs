using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Centrum.Telemetry.Internal;

/// <summary>Splits a JSON object body into its top-level fields.</summary>
internal static class BodyFields
{
    public readonly record struct Field(string Name, double? Number, string Json, bool Modeled);

    /// <summary>
    /// Returns the fields of a UTF-8 JSON object body, or nothing for any other body (binary, non-JSON, non-object,
    /// another encoding): those are kept whole in <c>messages</c>, never dropped.
    /// </summary>
    public static bool TryRead(TelemetryMessage message, List<Field> fields, TelemetryDeclaration? declaration = null)
    {
        fields.Clear();
        if (message.Body.IsEmpty || !IsJsonCandidate(message))
        {
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(message.Body.Span, new JsonReaderOptions { MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            using var document = JsonDocument.ParseValue(ref reader);
            if (reader.Read())
            {
                return false;
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                double? number = property.Value.ValueKind switch
                {
                    JsonValueKind.Number => property.Value.GetDouble(),
                    JsonValueKind.True => 1,
                    JsonValueKind.False => 0,
                    _ => null,
                };
                fields.Add(new Field(property.Name, number, property.Value.GetRawText(), declaration?.Invoke(message.Component, property.Name, property.Value) ?? false));
            }

            return true;
        }
        catch (JsonException)
        {
            fields.Clear();
            return false;
        }
    }

    private static bool IsJsonCandidate(TelemetryMessage message)
    {
        var encoding = message.ContentEncoding;
        if (encoding is not null && !encoding.Equals("utf-8", StringComparison.OrdinalIgnoreCase) && !encoding.Equals("utf8", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var type = message.ContentType;
        return type is null || type.Contains("json", StringComparison.OrdinalIgnoreCase);
    }

    private const int KeptWriterCapacity = 16 * 1024;

    /// <summary>A buffer and writer per publishing thread, reset for each message; only the resulting string is new.</summary>
    [ThreadStatic]
    private static (ArrayBufferWriter<byte> Buffer, Utf8JsonWriter Writer)? _threadPropertiesWriter;

    public static string PropertiesJson(IReadOnlyList<KeyValuePair<string, string?>> properties)
    {
        if (properties.Count == 0)
        {
            return "{}";
        }

        // A stream and a writer per message were about 840 bytes of garbage each (bench/micro.sh, PropertyBagBenchmarks).
        var (buffer, writer) = _threadPropertiesWriter ??= CreatePropertiesWriter();
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        writer.WriteStartObject();
        for (var i = 0; i < properties.Count; i++)
        {
            writer.WriteString(properties[i].Key, properties[i].Value);
        }

        writer.WriteEndObject();
        writer.Flush();
        var json = Encoding.UTF8.GetString(buffer.WrittenSpan);
        if (buffer.Capacity > KeptWriterCapacity)
        {
            // A rare message with large properties does not leave its buffer held by the thread.
            _threadPropertiesWriter = null;
        }

        return json;
    }

    private static (ArrayBufferWriter<byte>, Utf8JsonWriter) CreatePropertiesWriter()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        return (buffer, new Utf8JsonWriter(buffer));
    }
}
