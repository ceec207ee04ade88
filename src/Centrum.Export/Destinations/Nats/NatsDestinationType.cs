using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace Centrum.Export.Destinations.Nats;

/// <summary>
/// Centrum's own <c>nats@v1</c> destination, for teams that want the export as a stream: JetStream publishes to
/// <c>subject</c> on the server at <c>url</c>, with optional token or user/password <c>authorization</c>. The
/// stream itself is the user's to create; Centrum only publishes into it.
/// </summary>
internal sealed class NatsDestinationType(ILoggerFactory loggers, DestinationReach reach) : IDestinationType
{
    public const string TypeName = "nats@v1";

    private readonly ILogger _logger = loggers.CreateLogger<NatsSender>();

    public string Type => TypeName;

    public IReadOnlyList<string[]> Targets { get; } = [["url"]];

    public string? Validate(JsonObject definition)
    {
        var reader = new DefinitionReader();
        NatsSettings.Parse(definition, reader);
        return reader.Error;
    }

    public JsonObject Redact(JsonObject definition) => DefinitionReader.Redact(definition, ["authorization", "token"], ["authorization", "password"]);

    public IDestinationSender Open(JsonObject definition, DestinationContext context)
    {
        var reader = new DefinitionReader();
        var settings = NatsSettings.Parse(definition, reader) ?? throw reader.Invalid(TypeName);
        return new NatsSender(settings, context, loggers, _logger, reach);
    }
}
