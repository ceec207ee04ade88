using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Centrum.Api.Infrastructure;

public static class JsonBody
{
    /// <summary>REST bodies are small documents; anything larger is refused before parsing.</summary>
    public const int MaxBytes = 1024 * 1024;

    /// <summary>
    /// Deepest nesting a REST body may have. IoT Central's documents (twins, templates, exports) stay far below it;
    /// the handlers walk bodies recursively, so depth is bounded where the text is read. Twins have their own,
    /// smaller limit (IoT Hub's 10 levels).
    /// </summary>
    public const int MaxDepth = 64;

    /// <summary>
    /// Reader options for every REST body. A member named twice is refused as invalid JSON (RFC 8259 §4 says names
    /// should be unique): a tree read with duplicates throws when the member is first used, after the body was accepted.
    /// </summary>
    public static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = MaxDepth, AllowDuplicateProperties = false };

    public static async Task<(JsonNode? Node, IResult? Error)> ReadAsync(HttpRequest request)
    {
        if (request.ContentLength > MaxBytes)
        {
            return (null, ApiError.Result(StatusCodes.Status413PayloadTooLarge, "PayloadTooLarge", $"The request body is larger than {MaxBytes} bytes."));
        }

        var type = request.ContentType;
        if (type is null || !(type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) || type.StartsWith("application/merge-patch+json", StringComparison.OrdinalIgnoreCase)))
        {
            return (null, ApiError.Result(StatusCodes.Status415UnsupportedMediaType, "UnsupportedMediaType", "The request body must be application/json."));
        }

        try
        {
            using var limited = new MemoryStream();
            await request.Body.CopyToAsync(limited, request.HttpContext.RequestAborted);
            if (limited.Length > MaxBytes)
            {
                return (null, ApiError.Result(StatusCodes.Status413PayloadTooLarge, "PayloadTooLarge", $"The request body is larger than {MaxBytes} bytes."));
            }

            limited.Position = 0;
            var body = await JsonNode.ParseAsync(limited, documentOptions: DocumentOptions, cancellationToken: request.HttpContext.RequestAborted);
            ReadAllText(body);
            return (body, null);
        }
        catch (JsonException ex)
        {
            return (null, ApiError.BadRequest($"The request body is not valid JSON: {ex.Message}"));
        }
        catch (InvalidOperationException)
        {
            // An escaped unpaired surrogate ("\ud800") is no Unicode text (RFC 8259 §8.2); the reader accepts it and
            // throws this when the text is read, so every name and string is read here, once, instead of in a handler.
            return (null, ApiError.BadRequest("The request body is not valid JSON: a name or string holds an unpaired surrogate."));
        }
    }

    /// <summary>Reads every member name and string of the body (depth bounded by <see cref="MaxDepth"/>), so text that is not Unicode throws here.</summary>
    private static void ReadAllText(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj)
                {
                    _ = name.Length;
                    ReadAllText(value);
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    ReadAllText(item);
                }

                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                _ = value.GetValue<string>();
                break;
        }
    }
}
