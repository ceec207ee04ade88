using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace Centrum.Export.Destinations.Webhook;

/// <summary>
/// A parsed <c>webhook@v1</c> definition. A class rather than a record on purpose: a record's generated
/// <c>ToString</c> would print the secrets into any log line that formats it.
/// </summary>
internal sealed class WebhookSettings
{
    /// <summary>Centrum's signing secret must be at least this long: shorter HMAC keys are guessable offline from one signed request.</summary>
    public const int MinimumSigningSecretLength = 16;

    private static readonly string[] Members =
        ["displayName", "type", "url", "queryCustomizations", "headerCustomizations", "authorization", "signingSecret", "trustedCertificate"];

    /// <summary>Headers Centrum sets itself; a customization of one of them would be ambiguous or break the request.</summary>
    private static readonly string[] ReservedHeaders =
        ["Content-Type", "Content-Length", "Content-Encoding", "Host", "Transfer-Encoding", "Connection", WebhookSignature.TimestampHeader, WebhookSignature.SignatureHeader];

    public required Uri Url { get; init; }

    /// <summary>The URL with the query customizations appended: what each POST goes to.</summary>
    public required Uri RequestUri { get; init; }

    public required IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; }

    /// <summary>The whole <c>Authorization</c> header value of <c>{"type":"header"}</c> authorization.</summary>
    public string? AuthorizationHeader { get; init; }

    public OAuthSettings? OAuth { get; init; }

    public byte[]? SigningKey { get; init; }

    public X509Certificate2Collection? TrustedCertificates { get; init; }

    /// <summary>
    /// Where requests go, for messages and logs: scheme, host and port only, because receivers often carry a
    /// secret in the path or the query (a token in the URL is common for webhooks).
    /// </summary>
    public string Endpoint => $"{Url.Scheme}://{Url.Authority}";

    public static WebhookSettings? Parse(JsonObject definition, DefinitionReader reader)
    {
        reader.OnlyMembers(definition, "", "a webhook@v1 destination", Members);
        reader.Head(definition, WebhookDestinationType.TypeName);
        var url = reader.Url(definition, "", "url", required: true, "https", "http");
        var query = Customizations(definition, reader, "queryCustomizations");
        var headers = Customizations(definition, reader, "headerCustomizations");

        string? authorizationHeader = null;
        OAuthSettings? oauth = null;
        var authorization = reader.Object(definition, "", "authorization", required: false);
        if (authorization is not null)
        {
            switch (reader.Choice(authorization, "authorization", "type", required: true, "header", "oauth"))
            {
                case "header":
                    reader.OnlyMembers(authorization, "authorization", "header authorization", "type", "value");
                    authorizationHeader = reader.String(authorization, "authorization", "value", required: true);
                    if (authorizationHeader is not null && HasLineBreak(authorizationHeader))
                    {
                        reader.Fail("'authorization.value' must be one line.");
                    }

                    break;
                case "oauth":
                    oauth = OAuthSettings.Parse(authorization, reader);
                    break;
            }
        }

        foreach (var (name, value) in headers)
        {
            if (!IsToken(name))
            {
                reader.Fail($"'headerCustomizations.{name}' is not a valid HTTP header name.");
            }
            else if (ReservedHeaders.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                reader.Fail($"'headerCustomizations.{name}' is set by Centrum and cannot be customized.");
            }
            else if (authorization is not null && name.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
            {
                reader.Fail("'headerCustomizations.Authorization' conflicts with 'authorization'; use one of them.");
            }
            else if (HasLineBreak(value))
            {
                reader.Fail($"'headerCustomizations.{name}.value' must be one line.");
            }
        }

        var signingSecret = reader.String(definition, "", "signingSecret", required: false);
        if (signingSecret is not null && signingSecret.Length < MinimumSigningSecretLength)
        {
            reader.Fail($"'signingSecret' must be at least {MinimumSigningSecretLength} characters.");
        }

        var trusted = reader.TrustedCertificates(definition, "", "trustedCertificate");

        if (reader.Failed || url is null)
        {
            return null;
        }

        return new WebhookSettings
        {
            Url = url,
            RequestUri = WithQuery(url, query),
            Headers = headers,
            AuthorizationHeader = authorizationHeader,
            OAuth = oauth,
            SigningKey = signingSecret is null ? null : Encoding.UTF8.GetBytes(signingSecret),
            TrustedCertificates = trusted,
        };
    }

    /// <summary><c>{name: {"value": string, "secret": bool}}</c>, IoT Central's shape for query and header customizations.</summary>
    private static List<KeyValuePair<string, string>> Customizations(JsonObject definition, DefinitionReader reader, string member)
    {
        var result = new List<KeyValuePair<string, string>>();
        var customizations = reader.Object(definition, "", member, required: false);
        if (customizations is null)
        {
            return result;
        }

        foreach (var (name, node) in customizations)
        {
            var path = $"{member}.{name}";
            if (name.Length == 0)
            {
                reader.Fail($"'{member}' has a member with an empty name.");
                continue;
            }

            if (node is not JsonObject customization)
            {
                reader.Fail($"'{path}' must be an object with 'value' and 'secret'.");
                continue;
            }

            reader.OnlyMembers(customization, path, "a customization", "value", "secret");
            var value = reader.String(customization, path, "value", required: true);
            reader.Boolean(customization, path, "secret");
            if (value is not null)
            {
                result.Add(new(name, value));
            }
        }

        return result;
    }

    private static Uri WithQuery(Uri url, List<KeyValuePair<string, string>> query)
    {
        if (query.Count == 0)
        {
            return url;
        }

        var builder = new UriBuilder(url);
        var text = new StringBuilder(builder.Query.TrimStart('?'));
        foreach (var (name, value) in query)
        {
            if (text.Length > 0)
            {
                text.Append('&');
            }

            text.Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        }

        builder.Query = text.ToString();
        return builder.Uri;
    }

    private static bool HasLineBreak(string value) => value.AsSpan().IndexOfAny('\r', '\n') >= 0;

    /// <summary>RFC 9110 §5.6.2: a header name is a token.</summary>
    private static bool IsToken(string name)
    {
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }
}
