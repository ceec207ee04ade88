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

    public static string PropertiesJson(IReadOnlyList<KeyValuePair<string, string?>> properties)
    {
        if (properties.Count == 0)
        {
            return "{}";
        }

        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in properties)
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }
}
