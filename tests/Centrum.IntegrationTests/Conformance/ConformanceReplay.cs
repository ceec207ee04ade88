using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Centrum.IntegrationTests.Conformance;

/// <summary>
/// Starts one server and replays every published example of every operation the server serves, once, in an order
/// that satisfies dependencies (creations and reads first, deletions last, each example's prerequisites created just
/// before it). Tests read the outcomes. Published values that cannot work against a real server are substituted;
/// <see cref="Substitutions"/> names each one.
/// </summary>
public sealed partial class ConformanceReplay : IAsyncLifetime
{
    private const string SetupVersion = "2022-10-31-preview";

    /// <summary>Every substitution of a published value, printed with the results.</summary>
    public static readonly IReadOnlyList<string> Substitutions =
    [
        "X.509 certificate placeholders ('<base64-certificate>', '<string representation of the certificate>') -> a CA certificate the suite creates, base64 DER",
        "EnrollmentGroups_VerifyX509 body certificate -> a certificate with CN = the verification code the server issued, signed by that CA (proof of possession)",
        "the author's host (appsubdomain.azureiotcentral.com) in request bodies -> the server under test",
    ];

    private static readonly string[] DeleteOrder =
        ["/apiTokens", "/dataExport/exports", "/dataExport/destinations", "/devices/{deviceId}/", "/devices/{deviceId}", "/deviceTemplates", "/enrollmentGroups/{enrollmentGroupId}/", "/enrollmentGroups", "/users", "/roles", "/organizations"];

    private readonly Dictionary<string, ExampleOutcome> _outcomes = new(StringComparer.Ordinal);
    private CentrumServer? _server;
    private HttpClient? _http;
    private X509Certificate2? _ca;
    private string? _verificationCode;

    public IReadOnlyDictionary<string, ExampleOutcome> Outcomes => _outcomes;

    /// <summary>The routes the server maps (endpoint-permissions.txt, checked against the server by EndpointPermissionTests), relative to /api.</summary>
    public static HashSet<string> ServedRoutes { get; } = File.ReadAllLines(Path.Combine(Repository.Root, "tests", "Centrum.IntegrationTests", "Api", "endpoint-permissions.txt"))
        .Select(l => l.Split(' '))
        .Where(p => p.Length >= 2 && p[1].StartsWith("/api/", StringComparison.Ordinal))
        .Select(p => RouteKey(p[0], p[1][4..]))
        .ToHashSet(StringComparer.Ordinal);

    public static bool IsServed(PublishedExample example) => ServedRoutes.Contains(RouteKey(example.Method, example.PathTemplate));

    public async Task InitializeAsync()
    {
        _server = await CentrumServer.StartAsync();
        _http = _server.AdminHttp();
        _ca = TestCertificates.CreateCa("Conformance CA");
        var served = PublishedExample.All.Where(IsServed).ToList();
        var ordered = served.Where(e => e.Method != "DELETE")
            .Concat(served.Where(e => e.Method == "DELETE").OrderBy(e => Array.FindIndex(DeleteOrder, p => e.PathTemplate.StartsWith(p, StringComparison.Ordinal))));
        foreach (var example in ordered)
        {
            _outcomes[example.Key] = await ReplayAsync(example);
        }
    }

    public async Task DisposeAsync()
    {
        _ca?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private static string RouteKey(string method, string route) => method + " " + RouteParameter().Replace(route.TrimEnd('/'), "{}");

    private async Task<ExampleOutcome> ReplayAsync(PublishedExample example)
    {
        var parameters = example.Parameters;
        var last = example.PathParameterNames.LastOrDefault();
        foreach (var name in example.PathParameterNames.Where(n => parameters[n] is not null))
        {
            // A creation's own resource is not made beforehand: the example creates it.
            if (!(example.Method == "PUT" && name == last))
            {
                await EnsureAsync(name, (string)parameters[name]!, parameters);
            }
        }

        var body = parameters["body"]?.DeepClone();
        if (body is not null)
        {
            await EnsureReferencedAsync(body);
            body = Substitute(example, body);
        }

        var missing = example.PathParameterNames.Where(n => parameters[n] is null).ToList();
        if (missing.Count > 0)
        {
            return new ExampleOutcome(example, 0, [$"the example gives no value for {string.Join(", ", missing)}"]);
        }

        var path = RouteParameter().Replace(example.PathTemplate, m => Uri.EscapeDataString((string)parameters[m.Groups[1].Value]!));
        var query = string.Join('&', example.QueryParameters.Select(q => $"{Uri.EscapeDataString(q.Name)}={Uri.EscapeDataString(q.Value)}"));
        using var request = new HttpRequestMessage(new HttpMethod(example.Method), $"api{path}?{query}");
        if (body is not null)
        {
            request.Content = CentrumServer.Json(body.ToJsonString());
        }

        using var response = await _http!.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var problems = Compare(example, (int)response.StatusCode, text);
        if (example.OperationId.EndsWith("GenerateVerificationCodeX509", StringComparison.Ordinal) && response.IsSuccessStatusCode)
        {
            _verificationCode = (string?)JsonNode.Parse(text)?["verificationCode"];
        }

        return new ExampleOutcome(example, (int)response.StatusCode, problems);
    }

    private JsonNode Substitute(PublishedExample example, JsonNode body)
    {
        var ca = TestCertificates.Base64(_ca!);
        var json = body.ToJsonString()
            .Replace("<base64-certificate>", ca, StringComparison.Ordinal)
            .Replace("<string representation of the certificate>", ca, StringComparison.Ordinal)
            .Replace("appsubdomain.azureiotcentral.com", _server!.BaseAddress.Authority, StringComparison.Ordinal);
        var substituted = JsonNode.Parse(json)!;
        if (example.OperationId == "EnrollmentGroups_VerifyX509" && _verificationCode is not null)
        {
            using var proof = TestCertificates.Issue(_ca!, _verificationCode, ecdsa: true, clientAuth: false);
            substituted["certificate"] = TestCertificates.Base64(proof);
        }

        return substituted;
    }

    /// <summary>Creates what a path parameter names, when it is not there yet, from the published creation example.</summary>
    private async Task EnsureAsync(string name, string id, JsonObject parameters)
    {
        var escaped = Uri.EscapeDataString(id);
        switch (name)
        {
            case "organizationId":
                await EnsureOneAsync($"organizations/{escaped}", new JsonObject { ["displayName"] = id });
                break;
            case "deviceTemplateId":
                await EnsureOneAsync($"deviceTemplates/{escaped}", CreationBody("devicetemplates_create", id));
                break;
            case "deviceId":
                var template = CreationBody("devicetemplates_create", null);
                var templateId = (string?)PublishedCreation("devicetemplates_create")["deviceTemplateId"];
                if (templateId is not null && template is not null)
                {
                    await EnsureOneAsync($"deviceTemplates/{Uri.EscapeDataString(templateId)}", template);
                }

                if (!await EnsureOneAsync($"devices/{escaped}", new JsonObject { ["displayName"] = id, ["template"] = templateId }))
                {
                    await EnsureOneAsync($"devices/{escaped}", new JsonObject { ["displayName"] = id });
                }

                break;
            case "enrollmentGroupId":
                await EnsureOneAsync($"enrollmentGroups/{escaped}", CreationBody("enrollmentgroups_create", null));
                break;
            case "entry":
                await EnsureOneAsync($"enrollmentGroups/{Uri.EscapeDataString((string)parameters["enrollmentGroupId"]!)}/certificates/{escaped}",
                    new JsonObject { ["certificate"] = TestCertificates.Base64(_ca!) });
                break;
            case "tokenId":
                await EnsureOneAsync($"apiTokens/{escaped}", CreationBody("apitoken_create", null));
                break;
            case "destinationId":
                await EnsureOneAsync($"dataExport/destinations/{escaped}", CreationBody("dataexports_destinations_create_webhook", null));
                break;
            case "exportId":
                await EnsureOneAsync($"dataExport/exports/{escaped}", CreationBody("dataexports_exports_create", null));
                break;
            case "userId":
                await EnsureOneAsync($"users/{escaped}", CreationBody("users_set", null));
                break;
            default:
                break;
        }
    }

    /// <summary>Organizations, templates and destinations a request body refers to.</summary>
    private async Task EnsureReferencedAsync(JsonNode body)
    {
        var organizations = new List<string>();
        var destinations = new List<string>();
        var budget = 10_000;
        Walk(body, null, 0);
        foreach (var organization in organizations.Distinct(StringComparer.Ordinal))
        {
            await EnsureAsync("organizationId", organization, []);
        }

        foreach (var destination in destinations.Distinct(StringComparer.Ordinal))
        {
            await EnsureAsync("destinationId", destination, []);
        }

        if (body is JsonObject o && o["template"] is JsonValue t && t.GetValueKind() == JsonValueKind.String)
        {
            await EnsureAsync("deviceTemplateId", (string)t!, []);
        }

        void Walk(JsonNode? node, string? member, int depth)
        {
            if (node is null || depth > 32 || --budget < 0)
            {
                return;
            }

            switch (node)
            {
                case JsonObject obj:
                    if (member == "destinations" && obj["id"] is JsonValue id)
                    {
                        destinations.Add((string)id!);
                    }

                    foreach (var (key, value) in obj)
                    {
                        if (key is "organization" or "parent" && value is JsonValue v && v.GetValueKind() == JsonValueKind.String)
                        {
                            organizations.Add((string)v!);
                        }

                        Walk(value, key, depth + 1);
                    }

                    break;
                case JsonArray array:
                    foreach (var item in array)
                    {
                        if (member == "organizations" && item is JsonValue s && s.GetValueKind() == JsonValueKind.String)
                        {
                            organizations.Add((string)s!);
                        }

                        Walk(item, member, depth + 1);
                    }

                    break;
                default:
                    break;
            }
        }
    }

    private static JsonObject PublishedCreation(string file) =>
        PublishedExample.All.First(e => e.Version == SetupVersion && e.ExampleName == file).Parameters;

    /// <summary>The body of a published creation example; for a template, only when the wanted id is the example's own.</summary>
    private JsonNode? CreationBody(string file, string? id)
    {
        var parameters = PublishedCreation(file);
        if (id is not null && (string?)parameters["deviceTemplateId"] != id)
        {
            return null;
        }

        var example = PublishedExample.All.First(e => e.Version == SetupVersion && e.ExampleName == file);
        return Substitute(example, parameters["body"]!.DeepClone());
    }

    /// <summary>PUTs the resource when a GET does not find it; true when it is there afterwards.</summary>
    private async Task<bool> EnsureOneAsync(string path, JsonNode? body)
    {
        using var found = await _http!.GetAsync($"api/{path}?api-version={SetupVersion}");
        if (found.IsSuccessStatusCode)
        {
            return true;
        }

        if (body is null)
        {
            return false;
        }

        await EnsureReferencedAsync(body);
        using var created = await _http.PutAsync($"api/{path}?api-version={SetupVersion}", CentrumServer.Json(body.ToJsonString()));
        return created.IsSuccessStatusCode;
    }

    /// <summary>Status, then top-level shape and value types against the example and the operation's schema.</summary>
    private static List<string> Compare(PublishedExample example, int status, string text)
    {
        var problems = new List<string>();
        var (expectedStatus, expectedBody) = example.ExpectedResponse;
        if (status != expectedStatus)
        {
            problems.Add($"status {status}, documented {expectedStatus}: {text[..Math.Min(text.Length, 200)]}");
            return problems;
        }

        if (expectedBody is null)
        {
            return problems;
        }

        JsonNode? actual;
        try
        {
            actual = JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            problems.Add($"body is not JSON: {text[..Math.Min(text.Length, 200)]}");
            return problems;
        }

        var schema = example.ResponseSchema;
        CompareObject(example, "", expectedBody, actual, schema, problems);
        if (expectedBody["value"] is JsonArray { Count: > 0 } expectedItems && actual?["value"] is JsonArray { Count: > 0 } actualItems)
        {
            var itemSchema = schema is null ? null : example.Resolve(schema)["properties"]?["value"]?["items"];
            CompareObject(example, "value[0].", expectedItems[0], actualItems[0], itemSchema, problems);
        }

        return problems;
    }

    private static void CompareObject(PublishedExample example, string prefix, JsonNode? expected, JsonNode? actual, JsonNode? schema, List<string> problems)
    {
        if (Kind(expected) != Kind(actual))
        {
            problems.Add($"{(prefix.Length == 0 ? "body" : prefix.TrimEnd('.'))} is {Kind(actual)}, documented {Kind(expected)}");
            return;
        }

        if (expected is not JsonObject documented || actual is not JsonObject answered)
        {
            return;
        }

        foreach (var (name, value) in documented)
        {
            if (!answered.TryGetPropertyValue(name, out var got))
            {
                problems.Add($"missing {prefix}{name}");
            }
            else if (value is not null && Kind(value) != Kind(got))
            {
                problems.Add($"{prefix}{name} is {Kind(got)}, documented {Kind(value)}");
            }
        }

        var allowed = schema is null ? [] : example.DocumentedMembers(schema);
        foreach (var (name, _) in answered)
        {
            if (!documented.ContainsKey(name) && !allowed.Contains(name) && !allowed.Contains("*") && !KnownDifferences.DeliberateMembers.ContainsKey(name))
            {
                problems.Add($"extra {prefix}{name}");
            }
        }
    }

    private static string Kind(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        _ => node.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.Number => "number",
            JsonValueKind.True or JsonValueKind.False => "bool",
            _ => "null",
        },
    };

    [GeneratedRegex(@"\{([A-Za-z]+)\}")]
    private static partial Regex RouteParameter();
}

/// <summary>What one replayed example got: its status, and each way it differs from the example (none when it passed).</summary>
public sealed record ExampleOutcome(PublishedExample Example, int Status, IReadOnlyList<string> Problems)
{
    public bool Passed => Problems.Count == 0;
}
