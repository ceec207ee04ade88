using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Encoding;
using Microsoft.Azure.Amqp.Framing;

namespace Centrum.Gateway.Amqp;

internal enum TwinOperation
{
    Unknown,
    Get,
    PatchReported,
    EnableDesired,
    DisableDesired,
}

/// <summary>
/// What the server reads of a device's twin requests and method answers (IoT Hub's AMQP dialect: azure-iot-sdk-node
/// <c>amqp_twin_client.ts</c> and <c>amqp_device_method_client.ts</c>, azure-iot-sdk-csharp
/// <c>AmqpIotMessageConverter</c>). The library decodes the sections; the values in them are whatever the peer chose,
/// so every value is matched by type and anything unexpected maps to a refusal, never to an exception.
/// </summary>
internal static class AmqpRequestMapping
{
    /// <summary>The parser's bound on a reported patch, as over MQTT: far above the depth IoT Hub allows twin properties.</summary>
    private const int MaxPatchDepth = 64;

    private const string DesiredResource = "/notifications/twin/properties/desired";

    /// <summary>The request's <c>operation</c> and <c>resource</c> annotations.</summary>
    public static TwinOperation TwinRequest(AmqpMessage request)
    {
        string? operation, resource;
        try
        {
            var map = request.MessageAnnotations?.Map;
            operation = Text(map, "operation");
            resource = Text(map, "resource");
        }
        catch (Exception ex) when (IsDecodeFault(ex))
        {
            return TwinOperation.Unknown;
        }

        return (operation, resource) switch
        {
            ("GET", _) => TwinOperation.Get,
            ("PATCH", "/properties/reported") => TwinOperation.PatchReported,
            ("PUT", DesiredResource) => TwinOperation.EnableDesired,
            ("DELETE", DesiredResource) => TwinOperation.DisableDesired,
            _ => TwinOperation.Unknown,
        };
    }

    /// <summary>The request's correlation-id, echoed on the answer; null when it has none or it cannot be decoded.</summary>
    public static MessageId? CorrelationId(AmqpMessage request)
    {
        try
        {
            return request.Properties?.CorrelationId;
        }
        catch (Exception ex) when (IsDecodeFault(ex))
        {
            return null;
        }
    }

    /// <summary>What a section the library decodes lazily throws when the peer encoded it wrongly.</summary>
    public static bool IsDecodeFault(Exception ex) =>
        ex is AmqpException or System.Runtime.Serialization.SerializationException or InvalidOperationException or ArgumentException
            or InvalidCastException or OverflowException or FormatException or NotSupportedException;

    /// <summary>A reported-properties patch: a JSON object in the body, or null.</summary>
    public static JsonObject? ReportedPatch(AmqpMessage request)
    {
        try
        {
            return AmqpTelemetryMapping.BodyBytes(request) is { } body
                ? JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { MaxDepth = MaxPatchDepth }) as JsonObject
                : null;
        }
        catch (Exception ex) when (ex is JsonException || IsDecodeFault(ex))
        {
            return null;
        }
    }

    /// <summary>
    /// A method answer: the request id from the correlation-id (a uuid, or its text), the status from
    /// <c>IoThub-status</c> (500 when it is missing or not a number), the body.
    /// </summary>
    public static (Guid RequestId, int Status, byte[] Body) MethodAnswer(AmqpMessage answer)
    {
        Guid requestId;
        object? value = null;
        byte[] body;
        try
        {
            _ = Guid.TryParse(answer.Properties?.CorrelationId?.ToString(), out requestId);
            _ = answer.ApplicationProperties?.Map.TryGetValue("IoThub-status", out value);
            body = AmqpTelemetryMapping.BodyBytes(answer) ?? [];
        }
        catch (Exception ex) when (IsDecodeFault(ex))
        {
            return (Guid.Empty, 500, []);
        }

        var status = value switch
        {
            int number => number,
            long number when number is >= int.MinValue and <= int.MaxValue => (int)number,
            short number => number,
            string text when int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => 500,
        };
        return (requestId, status, body);
    }

    /// <summary>An annotation that is a string or a symbol, as text; null for anything else.</summary>
    public static string? Text(Annotations? map, string key) =>
        map is not null && map.TryGetValue<object>(key, out var value) ? Text(value) : null;

    /// <summary>An application property that is a string or a symbol, as text; null for anything else.</summary>
    public static string? Text(PropertiesMap? map, string key) =>
        map is not null && map.TryGetValue<object>(key, out var value) ? Text(value) : null;

    private static string? Text(object? value) => value switch
    {
        string text => text,
        AmqpSymbol symbol => symbol.Value,
        _ => null,
    };
}
