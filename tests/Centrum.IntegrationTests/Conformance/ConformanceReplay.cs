using System.Buffers;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MQTTnet;
using MQTTnet.Protocol;

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
        "symmetric key placeholders ('<primary key>', '<secondary key>') -> random 32-byte keys, base64",
        "Azure Storage connection string placeholders ('[accountName]', '[key]') -> an account name and a random base64 key",
        "FileUploads_Create and _Update bodies' masked account key ('AccountKey=*****', what a read shows) -> a random base64 key: with no configuration stored yet there is no key for the mask to keep",
        "users created as prerequisites (not by the example itself) -> email '<userId>@example.com', so they do not collide with the examples' own 'bob@contoso.com'",
        "roles the examples assign but do not create (custom role ids) -> custom roles of that id, created beforehand",
        "certificate examples of enrollment group 'myEnrollmentGroupId', published as a symmetric-key group -> the group re-created as an X.509 group first",
        "Query_Run's template (FROM dtmi:modelDefinition:…) -> a template of that id with the telemetry the query names, created beforehand",
        "the examples' devices (created as prerequisites, and Devices_Create's body naming dtmi:contoso:testDeviceTemplate;1) -> the suite's template dtmi:conformance:coveringTemplate;1, which declares every capability the device examples use (root telemetry 'temperature' and command 'CoolDown'; components sensors, Thermostat_1o, deviceinfo, settings, LocationTracking, EnvironmentSensing), so the template examples create, update and delete dtmi:contoso:testDeviceTemplate;1 while no device uses it",
        "Devices_Get[Component]TelemetryValue -> the device connects over MQTT and sends the example's value first (the component one with $.sub)",
        "Devices_Get[Component]Properties -> the device connects over MQTT and reports the example's values first (components marked __t:c, acknowledged writable properties as {value, ac, av, ad}), and the suite waits until they are shown",
        "Devices_Run[Component]Command -> the device connects over MQTT, subscribes to direct methods and answers 200 with the example's request echoed",
        "Organizations_Remove -> the devices, users and API tokens the earlier examples put in that organization are deleted first",
        "the job examples' template urn:1dgygpt7t:modelDefinition:02uwtefvdy (not a DTMI, which Centrum's template ids are) -> dtmi:conformance:jobTarget;1, a component 'componentName' with the writable string 'propertyName'; their group 475cad48-… (the one DeviceGroups_Get shows) -> that group with its query naming that template, whose one device, in the group's organization, never connects",
        "the job examples' ids of the second api-version (myJobId, myJobRerunId) -> the id with the api-version appended: a job is started once and there is no job deletion, so the first version's jobs keep the published ids",
        "Jobs_Rerun's job myJobId (still running then: its device has not connected) -> a job the suite starts just before with the creation example's body and connectionTimeout 0, which ends at once with its device failed",
        "Jobs_Stop's and Jobs_Resume's job myJobId (which waits the default 60 seconds for its device, and may have ended before the stop example comes) -> a job the suite starts with the creation example's body and connectionTimeout 3600, stopped by the stop example and resumed by the resume example",
        "Devices_CreateRelationship, Devices_UpdateRelationship -> the devices the body names as source and target are created beforehand; the relationship other relationship examples address is the creation example's",
        "Devices_ApplyManifest's device CheckoutThermostat (created as a plain device) -> made an IoT Edge device first (PATCH type [\"iotEdge\"]), since a manifest applies to IoT Edge devices only",
        "ScheduledJobs_* -> the template their command targets (dtmi:modelDefinition:test;1, declaring Reboot and UpdateFirmware) and the device group they name (from DeviceGroups_Create's body) are created beforehand, and the scheduled job an example reads, updates or lists the jobs of is made from the creation example",
    ];

    private static readonly string[] DeleteOrder =
        ["/apiTokens", "/dataExport/exports", "/dataExport/destinations", "/devices/{deviceId}/", "/devices/{deviceId}", "/deviceTemplates", "/enrollmentGroups/{enrollmentGroupId}/", "/enrollmentGroups", "/users", "/roles", "/organizations"];

    private static readonly string[] MethodOrder = ["PUT", "PATCH", "POST", "GET"];

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

    public static bool IsServed(PublishedExample example) => ServedRoutes.Contains(RouteKey(example.Method, example.PathTemplate)) && !AwaitsModules(example);

    /// <summary>
    /// IoT Edge module operations: Centrum serves module identities, but the replay does not yet prepare what these
    /// examples need (an IoT Edge device with the examples' modules, an edge template declaring their interfaces; issue
    /// 16), so they would answer NotFound. The suite counts them as not yet served, in their own category, not as failing.
    /// </summary>
    public static bool AwaitsModules(PublishedExample example) => example.PathTemplate.Contains("/modules", StringComparison.Ordinal);

    public async Task InitializeAsync()
    {
        _server = await CentrumServer.StartAsync();
        _http = _server.AdminHttp();
        _ca = TestCertificates.CreateCa("Conformance CA");
        var served = PublishedExample.All.Where(IsServed).ToList();
        // One version after the other, as a script written for it would run; within one, creations first, then updates,
        // actions and reads (so reads see what the examples wrote), deletions last, children before parents.
        var ordered = served.GroupBy(e => e.Version).SelectMany(version =>
            // A job is stopped before it is resumed (the swagger lists Jobs_Resume first).
            version.Where(e => e.Method != "DELETE").OrderBy(e => Array.IndexOf(MethodOrder, e.Method)).ThenBy(e => e.OperationId == "Jobs_Resume")
                .Concat(version.Where(e => e.Method == "DELETE").OrderBy(e => Array.FindIndex(DeleteOrder, p => e.PathTemplate.StartsWith(p, StringComparison.Ordinal)))));
        foreach (var example in ordered)
        {
            try
            {
                _outcomes[example.Key] = await ReplayAsync(example);
            }
            catch (Exception ex) when (ex is TimeoutException or HttpRequestException or InvalidOperationException or MQTTnet.Exceptions.MqttCommunicationException)
            {
                // A prerequisite the server refused fails this example, not the whole suite.
                _outcomes[example.Key] = new ExampleOutcome(example, 0, [$"preparing it failed: {ex.Message}"]);
            }
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
        // A copy: preparation may substitute a path parameter (the job examples' ids) for this replay only.
        var parameters = (JsonObject)example.Parameters.DeepClone();
        var last = example.PathParameterNames.LastOrDefault();
        foreach (var name in example.PathParameterNames.Where(n => parameters[n] is not null))
        {
            // A creation's own resource is not made beforehand: the example creates it.
            if (!(example.Method == "PUT" && name == last && example.PathTemplate.EndsWith('}')))
            {
                await EnsureAsync(name, (string)parameters[name]!, parameters);
            }
        }

        await PrepareAsync(example, parameters);
        await using var responder = example.OperationId is "Devices_RunCommand" or "Devices_RunComponentCommand"
            ? await AnswerCommandsAsync((string)parameters["deviceId"]!)
            : null;
        var body = parameters["body"]?.DeepClone();
        if (body is not null)
        {
            body = Substitute(example, body);
            await EnsureReferencedAsync(body);
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
        // Relaxed escaping: the default encoder writes '<' as \u003C, and the placeholders are matched as published.
        var json = body.ToJsonString(Relaxed)
            .Replace("<base64-certificate>", ca, StringComparison.Ordinal)
            .Replace("<string representation of the certificate>", ca, StringComparison.Ordinal)
            .Replace("appsubdomain.azureiotcentral.com", _server!.BaseAddress.Authority, StringComparison.Ordinal)
            .Replace("<primary key>", RandomKey(), StringComparison.Ordinal)
            .Replace("<secondary key>", RandomKey(), StringComparison.Ordinal)
            .Replace("AccountName=[accountName]", "AccountName=conformance", StringComparison.Ordinal)
            .Replace("AccountKey=[key]", "AccountKey=" + RandomKey(), StringComparison.Ordinal);
        if (example.OperationId.StartsWith("FileUploads_", StringComparison.Ordinal))
        {
            json = json.Replace("AccountKey=*****", "AccountKey=" + RandomKey(), StringComparison.Ordinal);
        }

        var substituted = JsonNode.Parse(json)!;
        UseCoveringTemplate(example, substituted);
        UseJobTemplate(example, substituted);
        if (example.OperationId == "EnrollmentGroups_VerifyX509" && _verificationCode is not null)
        {
            using var proof = TestCertificates.Issue(_ca!, _verificationCode, ecdsa: true, clientAuth: false);
            substituted["certificate"] = TestCertificates.Base64(proof);
        }

        return substituted;
    }

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string RandomKey() => Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    /// <summary>Prerequisites that depend on the operation rather than on one path parameter.</summary>
    private async Task PrepareAsync(PublishedExample example, JsonObject parameters)
    {
        await PrepareScheduledJobAsync(example, parameters);
        if (example.PathTemplate.Contains("/certificates/", StringComparison.Ordinal))
        {
            var group = Uri.EscapeDataString((string)parameters["enrollmentGroupId"]!);
            using var found = await _http!.GetAsync($"api/enrollmentGroups/{group}?api-version={SetupVersion}");
            var attestation = found.IsSuccessStatusCode ? (string?)JsonNode.Parse(await found.Content.ReadAsStringAsync())?["attestation"]?["type"] : null;
            if (attestation != "x509")
            {
                (await _http.DeleteAsync($"api/enrollmentGroups/{group}?api-version={SetupVersion}")).Dispose();
                var body = CreationBody("enrollmentgroups_create", null)!;
                body["attestation"] = new JsonObject
                {
                    ["type"] = "x509",
                    ["x509"] = new JsonObject { ["signingCertificates"] = new JsonObject { ["primary"] = new JsonObject { ["certificate"] = TestCertificates.Base64(_ca!) } } },
                };
                using var created = await _http.PutAsync($"api/enrollmentGroups/{group}?api-version={SetupVersion}", CentrumServer.Json(body.ToJsonString()));
            }
        }

        if (example.OperationId is "Devices_CreateRelationship" or "Devices_UpdateRelationship")
        {
            await EnsureRelationshipEndsAsync(parameters["body"]);
        }

        if (example.OperationId == "Devices_ApplyManifest")
        {
            var device = Uri.EscapeDataString((string)parameters["deviceId"]!);
            using var patch = new HttpRequestMessage(HttpMethod.Patch, $"api/devices/{device}?api-version={SetupVersion}")
            {
                Content = CentrumServer.Json("""{"type":["iotEdge"]}"""),
            };
            using var patched = await _http!.SendAsync(patch);
            if (!patched.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"the device '{device}' could not be made an IoT Edge device: {await patched.Content.ReadAsStringAsync()}");
            }
        }

        if (example.OperationId == "Query_Run" && parameters["body"]?["query"] is JsonValue queryText)
        {
            var query = (string)queryText!;
            var template = QueryTemplate().Match(query).Groups[1].Value;
            var contents = new JsonArray();
            foreach (var name in QueryTelemetry().Matches(query).Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal))
            {
                contents.Add(new JsonObject { ["@type"] = "Telemetry", ["name"] = name, ["schema"] = "double" });
            }

            await EnsureOneAsync($"deviceTemplates/{Uri.EscapeDataString(template)}", new JsonObject
            {
                ["displayName"] = "Query example",
                ["@type"] = new JsonArray("ModelDefinition", "DeviceModel"),
                ["capabilityModel"] = new JsonObject { ["@id"] = "dtmi:conformance:QueryExample;1", ["@type"] = "Interface", ["contents"] = contents },
            });
        }

        // An example whose type differs from what an earlier example left under the same id (a service principal then
        // an email user, a webhook then a blob destination, a symmetric-key then an X.509 group) is about another
        // resource, not an update of that one: the id is freed first, and for an update the example's kind is created.
        if (example.Method is "PUT" or "PATCH" && example.PathTemplate.EndsWith('}') && parameters["body"] is JsonObject wanted && ResourceKind(wanted) is { } newKind)
        {
            var path = RouteParameter().Replace(example.PathTemplate, m => Uri.EscapeDataString((string?)parameters[m.Groups[1].Value] ?? "")).TrimStart('/');
            using var existing = await _http!.GetAsync($"api/{path}?api-version={SetupVersion}");
            if (existing.IsSuccessStatusCode && ResourceKind(JsonNode.Parse(await existing.Content.ReadAsStringAsync())) is { } oldKind && oldKind != newKind)
            {
                (await _http.DeleteAsync($"api/{path}?api-version={SetupVersion}")).Dispose();
                if (example.Method == "PATCH")
                {
                    (await _http.PutAsync($"api/{path}?api-version={SetupVersion}", CentrumServer.Json(Substitute(example, wanted.DeepClone()).ToJsonString()))).Dispose();
                }
            }
        }

        static string? ResourceKind(JsonNode? resource) =>
            resource?["type"] is null && resource?["attestation"]?["type"] is null ? null : $"{resource?["type"]}/{resource?["attestation"]?["type"]}";

        if (example.OperationId is "Devices_GetTelemetryValue" or "Devices_GetComponentTelemetryValue")
        {
            await SendTelemetryAsync(example, parameters);
        }

        if (example.OperationId is "Devices_GetProperties" or "Devices_GetComponentProperties")
        {
            await ReportPropertiesAsync(example, parameters);
        }

        if (example.OperationId == "DeviceGroups_GetDevices" && example.ExpectedResponse.Body?["value"]?[0]?["id"] is JsonValue member)
        {
            // The example lists one member: its device exists, and the group (the creation example's filter matches
            // only provisioned devices of another template, in an organization) is made to select it.
            await EnsureAsync("deviceId", (string)member!, parameters);
            var group = CreationBody("devicegroups_create", null)!;
            group["filter"] = $"SELECT * FROM devices WHERE $id = \"{(string)member!}\"";
            group.AsObject().Remove("organizations");
            (await _http!.PutAsync($"api/deviceGroups/{Uri.EscapeDataString((string)parameters["deviceGroupId"]!)}?api-version={SetupVersion}", CentrumServer.Json(group.ToJsonString()))).Dispose();
        }

        if (example.OperationId.StartsWith("Jobs_", StringComparison.Ordinal))
        {
            await PrepareJobAsync(example, parameters);
        }

        if (example.OperationId == "Organizations_Remove")
        {
            await EmptyOrganizationAsync((string)parameters["organizationId"]!);
        }
    }

    /// <summary>The example's device connects and answers every direct method (IoT Hub MQTT: $iothub/methods/POST/{name}/?$rid=).</summary>
    private async Task<CommandResponder> AnswerCommandsAsync(string deviceId)
    {
        var credentials = JsonNode.Parse(await _http!.GetStringAsync($"api/devices/{Uri.EscapeDataString(deviceId)}/credentials?api-version={SetupVersion}"))!;
        var client = MqttDevice.CreateClient();
        client.ApplicationMessageReceivedAsync += async e =>
        {
            var rid = RequestId().Match(e.ApplicationMessage.Topic).Groups[1].Value;
            await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"$iothub/methods/res/200/?$rid={rid}")
                .WithPayload(e.ApplicationMessage.Payload.ToArray()).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtMostOnce).Build());
        };
        await client.ConnectAsync(MqttDevice.Options(_server!, deviceId, (string)credentials["symmetricKey"]!["primaryKey"]!, cleanSession: true));
        await client.SubscribeAsync("$iothub/methods/POST/#", MqttQualityOfServiceLevel.AtMostOnce);
        return new CommandResponder(client);
    }

    private sealed class CommandResponder(IMqttClient client) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await client.DisconnectAsync();
            client.Dispose();
        }
    }

    /// <summary>The example's device connects as a device would and sends the telemetry value the example reads back.</summary>
    private async Task SendTelemetryAsync(PublishedExample example, JsonObject parameters)
    {
        var deviceId = (string)parameters["deviceId"]!;
        var telemetry = (string)parameters["telemetryName"]!;
        var component = example.PathTemplate.Contains("/components/", StringComparison.Ordinal) ? (string?)parameters["componentName"] : null;
        var read = $"api/devices/{Uri.EscapeDataString(deviceId)}{(component is null ? "" : $"/components/{Uri.EscapeDataString(component)}")}/telemetry/{Uri.EscapeDataString(telemetry)}?api-version={SetupVersion}";
        using (var already = await _http!.GetAsync(read))
        {
            if (already.IsSuccessStatusCode)
            {
                return;
            }
        }

        var credentials = JsonNode.Parse(await _http.GetStringAsync($"api/devices/{Uri.EscapeDataString(deviceId)}/credentials?api-version={SetupVersion}"))!;
        using var client = MqttDevice.CreateClient();
        await client.ConnectAsync(MqttDevice.Options(_server!, deviceId, (string)credentials["symmetricKey"]!["primaryKey"]!, cleanSession: true));
        var topic = $"devices/{deviceId}/messages/events/%24.ct=application%2Fjson&%24.ce=utf-8{(component is null ? "" : $"&%24.sub={component}")}";
        var value = example.ExpectedResponse.Body?["value"]?.DeepClone() ?? 0;
        await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(new JsonObject { [telemetry] = value }.ToJsonString())
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        var last = "";
        try
        {
            await Wait.UntilAsync(async () =>
            {
                using var response = await _http.GetAsync(read);
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                return response.IsSuccessStatusCode;
            }, TimeSpan.FromSeconds(20), $"telemetry '{telemetry}' of '{deviceId}' can be read");
        }
        catch (TimeoutException timeout)
        {
            throw new TimeoutException($"{timeout.Message} The last answer was: {last}", timeout);
        }
        await client.DisconnectAsync();
    }

    /// <summary>Deletes the devices, users and API tokens that belong to an organization (all but the suite's own token).</summary>
    private async Task EmptyOrganizationAsync(string organization)
    {
        foreach (var (collection, reference) in new[] { ("devices", "organizations"), ("users", "roles"), ("apiTokens", "roles") })
        {
            using var listed = await _http!.GetAsync($"api/{collection}?api-version={SetupVersion}");
            foreach (var item in JsonNode.Parse(await listed.Content.ReadAsStringAsync())?["value"]?.AsArray() ?? [])
            {
                var belongs = item?[reference]?.AsArray().Any(r => r is JsonValue v ? (string?)v == organization : (string?)r?["organization"] == organization) == true;
                if (belongs)
                {
                    (await _http.DeleteAsync($"api/{collection}/{Uri.EscapeDataString((string)item!["id"]!)}?api-version={SetupVersion}")).Dispose();
                }
            }
        }
    }

    /// <summary>Creates what a path parameter names, when it is not there yet, from the published creation example.</summary>
    private async Task EnsureAsync(string name, string id, JsonObject parameters)
    {
        var escaped = Uri.EscapeDataString(id);
        switch (name)
        {
            case "organizationId":
                var organization = (string?)PublishedCreation("organizations_create")["organizationId"] == id
                    ? CreationBody("organizations_create", null)
                    : new JsonObject { ["displayName"] = id };
                await EnsureOneAsync($"organizations/{escaped}", organization);
                break;
            case "deviceTemplateId":
                await EnsureOneAsync($"deviceTemplates/{escaped}", id == CoveringTemplateId ? CoveringTemplate() : CreationBody("devicetemplates_create", id));
                break;
            case "deviceId":
                await EnsureOneAsync($"deviceTemplates/{Uri.EscapeDataString(CoveringTemplateId)}", CoveringTemplate());
                if (!await EnsureOneAsync($"devices/{escaped}", new JsonObject { ["displayName"] = id, ["template"] = CoveringTemplateId }))
                {
                    throw new InvalidOperationException($"the device '{id}' could not be created with the covering template");
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
            case "roleId":
                await EnsureOneAsync($"roles/{escaped}", new JsonObject { ["displayName"] = id, ["permissions"] = new JsonArray("devicesRead") });
                break;
            case "deviceGroupId":
                var group = CreationBody("devicegroups_create", null)!;
                await EnsureReferencedAsync(group);
                await EnsureOneAsync($"deviceGroups/{escaped}", group);
                break;
            case "dashboardId":
                await EnsureOneAsync($"dashboards/{escaped}", CreationBody("dashboards_create", null));
                break;
            case "relationshipId":
                // The published creation's relationship, between its devices (made first), on the path's device.
                var relationship = CreationBody("devices_relationships_create", null)!;
                await EnsureRelationshipEndsAsync(relationship);
                await EnsureOneAsync($"devices/{Uri.EscapeDataString((string)parameters["deviceId"]!)}/relationships/{escaped}", relationship);
                break;
            case "userId":
                var user = CreationBody("users_set", null)!;
                user["email"] = $"{id}@example.com";
                await EnsureOneAsync($"users/{escaped}", user);
                break;
            default:
                break;
        }
    }

    /// <summary>The devices a relationship body names as its source and target.</summary>
    private async Task EnsureRelationshipEndsAsync(JsonNode? body)
    {
        foreach (var end in new[] { "source", "target" })
        {
            if (body?[end] is JsonValue value && value.GetValueKind() == JsonValueKind.String)
            {
                await EnsureAsync("deviceId", (string)value!, []);
            }
        }
    }

    /// <summary>Organizations, templates and destinations a request body refers to.</summary>
    private async Task EnsureReferencedAsync(JsonNode body)
    {
        var organizations = new List<string>();
        var destinations = new List<string>();
        var roles = new List<string>();
        var budget = 10_000;
        Walk(body, null, 0);
        foreach (var organization in organizations.Distinct(StringComparer.Ordinal))
        {
            await EnsureAsync("organizationId", organization, []);
        }

        foreach (var role in roles.Distinct(StringComparer.Ordinal))
        {
            await EnsureAsync("roleId", role, []);
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

                        if (key == "role" && member == "roles" && value is JsonValue r && r.GetValueKind() == JsonValueKind.String)
                        {
                            roles.Add((string)r!);
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
            CompareObject(example, "value[0].", expectedItems[0], Counterpart(expectedItems[0], actualItems), itemSchema, problems);
        }

        return problems;
    }

    /// <summary>The listed item to compare with the example's first: the one with its id, else its type, else the first.</summary>
    private static JsonNode? Counterpart(JsonNode? expected, JsonArray actual)
    {
        foreach (var member in new[] { "id", "type" })
        {
            if (expected?[member] is JsonValue wanted && actual.FirstOrDefault(a => a is JsonObject o && o[member] is JsonValue v && v.ToJsonString() == wanted.ToJsonString()) is { } match)
            {
                return match;
            }
        }

        return actual[0];
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

        var members = schema is null ? [] : example.DocumentedMembers(schema);
        foreach (var (name, value) in documented)
        {
            if (!answered.TryGetPropertyValue(name, out var got))
            {
                problems.Add($"missing {prefix}{name}");
            }
            else if (value is not null && Kind(value) != Kind(got) && !(members.TryGetValue(name, out var memberSchema) && IsAnyType(example, memberSchema)))
            {
                problems.Add($"{prefix}{name} is {Kind(got)}, documented {Kind(value)}");
            }
        }

        foreach (var (name, _) in answered)
        {
            if (!documented.ContainsKey(name) && !members.ContainsKey(name) && !members.ContainsKey("*") && !KnownDifferences.IsDeliberateMember(example.OperationId, name))
            {
                problems.Add($"extra {prefix}{name}");
            }
        }
    }

    /// <summary>A member the schema leaves untyped (a command's request and response, for example): any value will do.</summary>
    private static bool IsAnyType(PublishedExample example, JsonNode? schema) =>
        schema is not null && example.Resolve(schema) is var resolved && resolved["type"] is null && resolved["properties"] is null && resolved["allOf"] is null;

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

    [GeneratedRegex(@"\$rid=([^&]+)")]
    private static partial Regex RequestId();

    [GeneratedRegex(@"\bFROM\s+(\S+)", RegexOptions.IgnoreCase)]
    private static partial Regex QueryTemplate();

    [GeneratedRegex(@"\b(?:AVG|MAX|MIN|SUM|COUNT)\((\w+)\)", RegexOptions.IgnoreCase)]
    private static partial Regex QueryTelemetry();
}

/// <summary>What one replayed example got: its status, and each way it differs from the example (none when it passed).</summary>
public sealed record ExampleOutcome(PublishedExample Example, int Status, IReadOnlyList<string> Problems)
{
    public bool Passed => Problems.Count == 0;
}
