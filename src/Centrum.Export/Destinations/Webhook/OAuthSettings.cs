using System.Text.Json.Nodes;

namespace Centrum.Export.Destinations.Webhook;

/// <summary>How a token request carries its parameters (IoT Central's <c>OAuthRequestType</c>).</summary>
internal enum OAuthRequestType
{
    /// <summary>Form-urlencoded, as RFC 6749 §4.4.2 specifies; what most token endpoints accept.</summary>
    Auto,
    Json,
    UrlEncoded,
}

/// <summary>OAuth 2.0 client credentials (RFC 6749 §4.4) of a webhook. A class, not a record: it holds the client secret.</summary>
internal sealed class OAuthSettings
{
    public required Uri TokenUrl { get; init; }

    public required string ClientId { get; init; }

    public required string ClientSecret { get; init; }

    public string? Audience { get; init; }

    public string? Scope { get; init; }

    public OAuthRequestType RequestType { get; init; }

    public static OAuthSettings? Parse(JsonObject authorization, DefinitionReader reader)
    {
        const string Path = "authorization";
        reader.OnlyMembers(authorization, Path, "oauth authorization", "type", "tokenUrl", "clientId", "clientSecret", "audience", "scope", "requestType");
        var tokenUrl = reader.Url(authorization, Path, "tokenUrl", required: true, "https", "http");
        var clientId = reader.String(authorization, Path, "clientId", required: true);
        var clientSecret = reader.String(authorization, Path, "clientSecret", required: true);
        var audience = reader.String(authorization, Path, "audience", required: false);
        var scope = reader.String(authorization, Path, "scope", required: false);
        var requestType = reader.Choice(authorization, Path, "requestType", required: false, "auto", "json", "urlencoded");
        if (tokenUrl is null || clientId is null || clientSecret is null || reader.Failed)
        {
            return null;
        }

        return new OAuthSettings
        {
            TokenUrl = tokenUrl,
            ClientId = clientId,
            ClientSecret = clientSecret,
            Audience = audience,
            Scope = scope,
            RequestType = requestType switch
            {
                "json" => OAuthRequestType.Json,
                "urlencoded" => OAuthRequestType.UrlEncoded,
                _ => OAuthRequestType.Auto,
            },
        };
    }
}
