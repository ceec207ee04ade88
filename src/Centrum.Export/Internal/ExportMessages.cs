using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Events;
using Centrum.Templates;
using Centrum.Twins;

namespace Centrum.Export.Internal;

/// <summary>
/// Turns source records into messages in IoT Central's documented export format (<c>schema: default@v1</c>): one
/// message per telemetry message, per property change, per lifecycle change. Centrum adds <c>sequenceNumber</c>, the
/// record's position in its log, so receivers can drop the duplicates at-least-once delivery may bring. Members follow
/// the examples of "Export IoT data to Blob Storage" (IoT Central documentation, data formats): <c>enrichments</c> and a
/// telemetry message's <c>messageProperties</c> are <c>{}</c> when empty, never left out.
/// </summary>
internal static class ExportMessages
{
    public const string Schema = "default@v1";

    /// <param name="applicationId">The application's export id (<see cref="ApplicationGuid"/>), not its name.</param>
    public static IEnumerable<JsonObject> Build(string applicationId, SourceRecord record, DeviceFacts facts)
    {
        switch (record.Kind)
        {
            case "Telemetry":
                yield return Telemetry(applicationId, record, facts);
                break;
            case nameof(DeviceEventKind.ReportedPropertiesChanged):
                yield return Properties(applicationId, record, facts, "devicePropertyReportedChange");
                break;
            case nameof(DeviceEventKind.DesiredPropertiesChanged):
                yield return Properties(applicationId, record, facts, "devicePropertyDesiredChange");
                break;
            case nameof(DeviceEventKind.CloudPropertiesChanged):
                yield return Properties(applicationId, record, facts, "cloudPropertyChange");
                break;
            case nameof(DeviceEventKind.Connected):
                yield return Device(applicationId, record, facts, ExportSources.DeviceConnectivity, "connected");
                break;
            case nameof(DeviceEventKind.Disconnected):
                yield return Device(applicationId, record, facts, ExportSources.DeviceConnectivity, "disconnected");
                break;
            case nameof(DeviceEventKind.Created):
                yield return Device(applicationId, record, facts, ExportSources.DeviceLifecycle, "registered");
                if (record.Data?["provisioned"] is JsonValue provisioned && provisioned.GetValueKind() == JsonValueKind.True)
                {
                    yield return Device(applicationId, record, facts, ExportSources.DeviceLifecycle, "provisioned");
                }

                break;
            case nameof(DeviceEventKind.Updated):
                foreach (var change in record.Data?["changes"] as JsonArray ?? [])
                {
                    yield return Device(applicationId, record, facts, ExportSources.DeviceLifecycle, (string)change!);
                }

                break;
            case nameof(DeviceEventKind.Deleted):
                yield return Device(applicationId, record, facts, ExportSources.DeviceLifecycle, "deleted");
                break;
            case nameof(DeviceEventKind.TemplateChanged):
                yield return new JsonObject
                {
                    ["applicationId"] = applicationId,
                    ["messageSource"] = ExportSources.DeviceTemplateLifecycle,
                    ["messageType"] = (string?)record.Data?["change"],
                    ["schema"] = Schema,
                    ["templateId"] = (string?)record.Data?["templateId"],
                    ["templateName"] = (string?)record.Data?["displayName"],
                    ["enqueuedTime"] = Time(record.Time),
                    ["enrichments"] = new JsonObject(),
                    ["sequenceNumber"] = record.Sequence,
                };
                break;
            case nameof(DeviceEventKind.Audited):
                var audit = new JsonObject
                {
                    ["applicationId"] = applicationId,
                    ["messageSource"] = ExportSources.Audit,
                    ["schema"] = Schema,
                    ["enqueuedTime"] = Time(record.Time),
                    ["enrichments"] = new JsonObject(),
                    ["sequenceNumber"] = record.Sequence,
                };
                foreach (var (key, value) in record.Data ?? [])
                {
                    audit[key] = value?.DeepClone();
                }

                yield return audit;
                break;
        }
    }

    private static JsonObject Telemetry(string applicationId, SourceRecord record, DeviceFacts facts)
    {
        var message = record.Message!;
        var json = new JsonObject
        {
            ["applicationId"] = applicationId,
            ["messageSource"] = ExportSources.Telemetry,
            ["deviceId"] = record.DeviceId,
            ["schema"] = Schema,
            ["templateId"] = facts.Device?.Template,
            ["enqueuedTime"] = Time(message.EnqueuedTime),
        };
        if (Body(message.Body, message.ContentEncoding) is JsonObject telemetry)
        {
            json["telemetry"] = telemetry;
        }
        else
        {
            // IoT Central exports JSON bodies only; Centrum keeps other bodies and passes them on as base64.
            json["telemetry"] = new JsonObject();
            json["rawBody"] = Convert.ToBase64String(message.Body);
        }

        json["enrichments"] = new JsonObject();
        json["messageProperties"] = JsonNode.Parse(message.PropertiesJson) as JsonObject ?? new JsonObject();
        if (message.ModuleId is not null)
        {
            json["module"] = message.ModuleId;
        }

        // IoT Central names the component only when the device's template models it; a device may name any
        // component in its message properties (IoT Plug and Play "$.sub"), modeled or not.
        if (message.Component is { } component && IsModeledComponent(facts.Template, component))
        {
            json["component"] = component;
        }

        json["sequenceNumber"] = record.Sequence;
        return json;
    }

    private static JsonObject Properties(string applicationId, SourceRecord record, DeviceFacts facts, string messageType)
    {
        var list = new JsonArray();
        var reported = messageType == "devicePropertyReportedChange";
        if (record.Data?["patch"] is JsonObject patch)
        {
            foreach (var (name, value) in patch)
            {
                if (name.StartsWith('$'))
                {
                    continue;
                }

                if (value is JsonObject && IsModeledComponent(facts.Template, name))
                {
                    foreach (var (inner, innerValue) in (JsonObject)value!)
                    {
                        if (inner != DeviceProperties.ComponentMarker && !inner.StartsWith('$'))
                        {
                            list.Add(Property(inner, innerValue, name, record.ModuleId, reported));
                        }
                    }
                }
                else
                {
                    list.Add(Property(name, WithoutMarker(value), null, record.ModuleId, reported));
                }
            }
        }

        return new JsonObject
        {
            ["schema"] = Schema,
            ["applicationId"] = applicationId,
            ["messageSource"] = ExportSources.Properties,
            ["messageType"] = messageType,
            ["deviceId"] = record.DeviceId,
            ["enqueuedTime"] = Time(record.Time),
            ["templateId"] = facts.Device?.Template,
            ["properties"] = list,
            ["enrichments"] = new JsonObject(),
            ["sequenceNumber"] = record.Sequence,
        };
    }

    /// <summary>
    /// One changed property. A device reports a writable property as its acknowledgement <c>{"value","ac","av","ad"}</c>
    /// (IoT Plug and Play conventions); the change exported is its value, as the REST API's properties show it.
    /// </summary>
    private static JsonObject Property(string name, JsonNode? value, string? component, string? module, bool reported)
    {
        if (reported && DeviceProperties.IsAcknowledgement(value, out var ack))
        {
            value = ack["value"];
        }

        var property = new JsonObject { ["name"] = name, ["value"] = value?.DeepClone() };
        if (component is not null)
        {
            property["component"] = component;
        }

        if (module is not null)
        {
            property["module"] = module;
        }

        return property;
    }

    private static JsonObject Device(string applicationId, SourceRecord record, DeviceFacts facts, string source, string messageType)
    {
        var json = new JsonObject
        {
            ["applicationId"] = applicationId,
            ["messageSource"] = source,
            ["messageType"] = messageType,
            ["deviceId"] = record.DeviceId,
            ["schema"] = Schema,
            ["templateId"] = facts.Device?.Template,
        };
        if (source == ExportSources.DeviceLifecycle)
        {
            json["templateName"] = facts.Template?.DisplayName;
        }

        json["enqueuedTime"] = Time(record.Time);
        json["enrichments"] = new JsonObject();
        json["sequenceNumber"] = record.Sequence;
        return json;
    }

    /// <summary>
    /// Sets the export's enrichments on a built message (IoT Central: "enrichments: any enrichments set up on the
    /// export"); without any the message keeps <c>{}</c>.
    /// </summary>
    public static void Enrich(JsonObject message, JsonObject? enrichments, DeviceFacts facts, string deviceId)
    {
        if (enrichments is { Count: > 0 })
        {
            message["enrichments"] = Enrichments.Apply(enrichments, facts, deviceId);
        }
    }

    /// <summary>
    /// Whether the template models a component of this name. IoT Central's property change format: "the component and
    /// module information is included if the property is modeled within a component"; an object the device marks
    /// <c>"__t":"c"</c> that the template does not model is an unmodeled property like any other.
    /// </summary>
    private static bool IsModeledComponent(DeviceTemplate? template, string name) =>
        template?.Model.Components.Any(c => c.Name == name) == true;

    /// <summary>An unmodeled object keeps its members but not the Plug and Play component marker, which is no data.</summary>
    private static JsonNode? WithoutMarker(JsonNode? value)
    {
        if (value is not JsonObject obj || !obj.ContainsKey(DeviceProperties.ComponentMarker))
        {
            return value;
        }

        var copy = obj.DeepClone().AsObject();
        copy.Remove(DeviceProperties.ComponentMarker);
        return copy;
    }

    private static JsonNode? Body(byte[] body, string? encoding)
    {
        if (body.Length == 0 || (encoding is not null && !encoding.Equals("utf-8", StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        try
        {
            // A member named twice would make the tree throw when first read, after the message was built; such a
            // body is not JSON IoT Central exports, and travels as base64 like any other.
            return JsonNode.Parse(Encoding.UTF8.GetString(body), documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
