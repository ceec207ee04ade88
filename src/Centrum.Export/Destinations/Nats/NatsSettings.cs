using System.Text.Json.Nodes;

namespace Centrum.Export.Destinations.Nats;

/// <summary>A parsed <c>nats@v1</c> definition. A class, not a record: a record's generated ToString would print the token or password.</summary>
internal sealed class NatsSettings
{
    /// <summary>Scheme, host and port: the whole of a valid URL, so also what messages and logs show.</summary>
    public required string Url { get; init; }

    public required string Subject { get; init; }

    public string? Token { get; init; }

    public string? User { get; init; }

    public string? Password { get; init; }

    public static NatsSettings? Parse(JsonObject definition, DefinitionReader reader)
    {
        reader.OnlyMembers(definition, "", "a nats@v1 destination", "displayName", "type", "url", "subject", "authorization");
        reader.Head(definition, NatsDestinationType.TypeName);
        var url = reader.Url(definition, "", "url", required: true, "nats", "tls");
        if (url is not null && (url.AbsolutePath is not ("" or "/") || url.Query.Length > 0))
        {
            reader.Fail("'url' must be nats://host:port or tls://host:port, without a path or query.");
        }

        var subject = reader.String(definition, "", "subject", required: false) ?? NatsSubjectTemplate.Default;
        if (NatsSubjectTemplate.Check(subject) is { } problem)
        {
            reader.Fail(problem);
        }

        string? token = null, user = null, password = null;
        var authorization = reader.Object(definition, "", "authorization", required: false);
        if (authorization is not null)
        {
            const string Path = "authorization";
            switch (reader.Choice(authorization, Path, "type", required: true, "token", "userPassword"))
            {
                case "token":
                    reader.OnlyMembers(authorization, Path, "token authorization", "type", "token");
                    token = reader.String(authorization, Path, "token", required: true);
                    break;
                case "userPassword":
                    reader.OnlyMembers(authorization, Path, "userPassword authorization", "type", "user", "password");
                    user = reader.String(authorization, Path, "user", required: true);
                    password = reader.String(authorization, Path, "password", required: true);
                    break;
            }
        }

        if (reader.Failed || url is null)
        {
            return null;
        }

        return new NatsSettings
        {
            Url = $"{url.Scheme}://{url.Authority}",
            Subject = subject,
            Token = token,
            User = user,
            Password = password,
        };
    }
}
