using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace Centrum.Export.Destinations.Webhook;

/// <summary>
/// IoT Central's <c>webhook@v1</c> destination (<c>WebhookV1Destination</c>, api-version 2022-10-31-preview):
/// <c>url</c>, <c>queryCustomizations</c>, <c>headerCustomizations</c> and header or OAuth client-credentials
/// <c>authorization</c>. Centrum adds two optional members: <c>signingSecret</c>, which signs every request as
/// <see cref="WebhookSignature"/> describes, and <c>trustedCertificate</c>, the PEM of the CA (or self-signed
/// certificate) a receiver on a private PKI presents, trusted for this destination only.
/// </summary>
internal sealed class WebhookDestinationType(TimeProvider time, ILoggerFactory loggers, DestinationReach reach) : IDestinationType
{
    public const string TypeName = "webhook@v1";

    /// <summary>How long one POST (or token request) may take before the batch fails as transient.</summary>
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(30);

    private readonly ILogger _logger = loggers.CreateLogger<WebhookSender>();

    public string Type => TypeName;

    public IReadOnlyList<string[]> Targets { get; } = [["url"], ["authorization", "tokenUrl"]];

    /// <summary>Settable for tests that wait on a receiver that never answers.</summary>
    internal TimeSpan RequestTimeout { get; init; } = DefaultRequestTimeout;

    public string? Validate(JsonObject definition)
    {
        var reader = new DefinitionReader();
        WebhookSettings.Parse(definition, reader);
        return reader.Error;
    }

    public JsonObject Redact(JsonObject definition)
    {
        var copy = DefinitionReader.Redact(definition, ["authorization", "value"], ["authorization", "clientSecret"], ["signingSecret"]);
        foreach (var member in (string[])["queryCustomizations", "headerCustomizations"])
        {
            if (copy[member] is not JsonObject customizations)
            {
                continue;
            }

            foreach (var (_, node) in customizations)
            {
                if (node is JsonObject customization && customization["secret"] is JsonValue secret
                    && secret.TryGetValue<bool>(out var isSecret) && isSecret && customization["value"] is not null)
                {
                    customization["value"] = DefinitionReader.Mask;
                }
            }
        }

        return copy;
    }

    public IDestinationSender Open(JsonObject definition, DestinationContext context)
    {
        var reader = new DefinitionReader();
        var settings = WebhookSettings.Parse(definition, reader) ?? throw reader.Invalid(TypeName);
        return new WebhookSender(settings, context, RequestTimeout, time, _logger, reach);
    }
}
