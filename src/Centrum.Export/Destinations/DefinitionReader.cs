using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Centrum.Export.Destinations;

/// <summary>
/// Reads a destination definition member by member and keeps the first problem it meets, so one parse serves both
/// <see cref="IDestinationType.Validate"/> (which reports the problem) and <see cref="IDestinationType.Open"/> (which
/// refuses an invalid definition). Paths in messages are dotted JSON paths, e.g. <c>authorization.clientSecret</c>.
/// </summary>
internal sealed class DefinitionReader
{
    /// <summary>What IoT Central shows in place of a secret when a destination is read back.</summary>
    public const string Mask = "*****";

    public string? Error { get; private set; }

    public bool Failed => Error is not null;

    public void Fail(string message) => Error ??= message;

    public static string PathOf(string parent, string name) => parent.Length == 0 ? name : $"{parent}.{name}";

    /// <summary>Refuses members outside <paramref name="allowed"/>: a misspelt optional member would otherwise be silently ignored.</summary>
    public void OnlyMembers(JsonObject obj, string path, string what, params string[] allowed)
    {
        foreach (var (name, _) in obj)
        {
            if (!allowed.Contains(name, StringComparer.Ordinal))
            {
                Fail($"Unknown member '{PathOf(path, name)}'; {what} has {string.Join(", ", allowed)}.");
                return;
            }
        }
    }

    /// <summary>The common head of every destination: a display name and the type discriminator.</summary>
    public void Head(JsonObject definition, string type)
    {
        String(definition, "", "displayName", required: true);
        var actual = String(definition, "", "type", required: true);
        if (actual is not null && actual != type)
        {
            Fail($"'type' must be '{type}'.");
        }
    }

    /// <summary>A string member; JSON null counts as absent. Empty strings are refused.</summary>
    public string? String(JsonObject obj, string path, string name, bool required)
    {
        var node = obj[name];
        if (node is null)
        {
            if (required)
            {
                Fail($"'{PathOf(path, name)}' is required.");
            }

            return null;
        }

        if (node.GetValueKind() != JsonValueKind.String)
        {
            Fail($"'{PathOf(path, name)}' must be a string.");
            return null;
        }

        var value = node.GetValue<string>();
        if (value.Length == 0)
        {
            Fail($"'{PathOf(path, name)}' must not be empty.");
            return null;
        }

        return value;
    }

    public bool? Boolean(JsonObject obj, string path, string name)
    {
        var node = obj[name];
        if (node is null)
        {
            return null;
        }

        switch (node.GetValueKind())
        {
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            default:
                Fail($"'{PathOf(path, name)}' must be true or false.");
                return null;
        }
    }

    public JsonObject? Object(JsonObject obj, string path, string name, bool required)
    {
        var node = obj[name];
        if (node is null)
        {
            if (required)
            {
                Fail($"'{PathOf(path, name)}' is required.");
            }

            return null;
        }

        if (node is not JsonObject value)
        {
            Fail($"'{PathOf(path, name)}' must be an object.");
            return null;
        }

        return value;
    }

    /// <summary>A string that must be one of <paramref name="allowed"/>.</summary>
    public string? Choice(JsonObject obj, string path, string name, bool required, params string[] allowed)
    {
        var value = String(obj, path, name, required);
        if (value is not null && !allowed.Contains(value, StringComparer.Ordinal))
        {
            Fail($"'{PathOf(path, name)}' must be one of {string.Join(", ", allowed.Select(a => $"'{a}'"))}.");
            return null;
        }

        return value;
    }

    /// <summary>
    /// An absolute URL with one of <paramref name="schemes"/> and a host, and no user:password part: HTTP and NATS
    /// clients would not send it as credentials, and a URL is shown unmasked where 'authorization' is masked.
    /// </summary>
    public Uri? Url(JsonObject obj, string path, string name, bool required, params string[] schemes)
    {
        var value = String(obj, path, name, required);
        if (value is null)
        {
            return null;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Host.Length == 0 || !schemes.Contains(uri.Scheme, StringComparer.Ordinal))
        {
            Fail($"'{PathOf(path, name)}' must be an absolute {string.Join(" or ", schemes)} URL.");
            return null;
        }

        if (uri.UserInfo.Length > 0)
        {
            Fail($"'{PathOf(path, name)}' must not carry credentials; put them in 'authorization'.");
            return null;
        }

        return uri;
    }

    /// <summary>
    /// A PEM bundle of CA (or self-signed) certificates that a destination on a private PKI is trusted by, for that
    /// destination only (Centrum's own <c>trustedCertificate</c>).
    /// </summary>
    public X509Certificate2Collection? TrustedCertificates(JsonObject obj, string path, string name)
    {
        var pem = String(obj, path, name, required: false);
        if (pem is null)
        {
            return null;
        }

        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(pem);
        }
        catch (CryptographicException)
        {
            // Reported below as "no certificate": the exception text says nothing more useful to a user.
        }

        if (certificates.Count == 0)
        {
            Fail($"'{PathOf(path, name)}' must hold one or more PEM certificates (-----BEGIN CERTIFICATE-----).");
            return null;
        }

        return certificates;
    }

    /// <summary>A copy of <paramref name="definition"/> with the string at each path (if present) replaced by <see cref="Mask"/>.</summary>
    public static JsonObject Redact(JsonObject definition, params string[][] secretPaths)
    {
        var copy = (JsonObject)definition.DeepClone();
        foreach (var path in secretPaths)
        {
            var parent = copy;
            for (var i = 0; i < path.Length - 1 && parent is not null; i++)
            {
                parent = parent[path[i]] as JsonObject;
            }

            if (parent is not null && parent[path[^1]] is not null)
            {
                parent[path[^1]] = Mask;
            }
        }

        return copy;
    }

    /// <summary>Thrown by <see cref="IDestinationType.Open"/> for a definition that <see cref="IDestinationType.Validate"/> refuses.</summary>
    public ArgumentException Invalid(string type) => new($"Invalid {type} destination: {Error}");
}
