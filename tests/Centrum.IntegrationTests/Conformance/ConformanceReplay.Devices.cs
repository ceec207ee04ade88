using System.Text.Json;
using System.Text.Json.Nodes;
using MQTTnet;
using MQTTnet.Protocol;

namespace Centrum.IntegrationTests.Conformance;

/// <summary>
/// The devices the examples address: they use one template that declares every capability the examples read or write
/// (the published template declares none of them), and report what the examples read back.
/// </summary>
public sealed partial class ConformanceReplay
{
    /// <summary>The template the examples share, published with the template examples (create, update, delete).</summary>
    private const string SharedTemplateId = "dtmi:contoso:testDeviceTemplate;1";

    /// <summary>The suite's own template for the examples' devices, so the template examples run on one no device uses.</summary>
    private const string CoveringTemplateId = "dtmi:conformance:coveringTemplate;1";

    /// <summary>
    /// Every capability the device examples touch: root telemetry 'temperature' and command 'CoolDown'
    /// (Devices_GetTelemetryValue, Devices_RunCommand); components 'sensors' (telemetry 'temperature'),
    /// 'Thermostat_1o' (command 'CoolDown'), 'deviceinfo' (manufacturer, model, swVersion), 'settings' (writable
    /// fanSpeed, voltage, current, irSwitch), and the two components Devices_ListComponents shows.
    /// </summary>
    private static JsonObject CoveringTemplate()
    {
        static JsonObject Command() => new()
        {
            ["@type"] = "Command",
            ["name"] = "CoolDown",
            ["request"] = new JsonObject { ["name"] = "request", ["schema"] = new JsonObject { ["@type"] = "Object", ["fields"] = new JsonArray(new JsonObject { ["name"] = "tempVal", ["schema"] = "double" }) } },
            ["response"] = new JsonObject { ["name"] = "response", ["schema"] = new JsonObject { ["@type"] = "Object", ["fields"] = new JsonArray(new JsonObject { ["name"] = "tempVal", ["schema"] = "double" }) } },
        };
        static JsonObject Telemetry() => new() { ["@type"] = "Telemetry", ["name"] = "temperature", ["schema"] = "double" };
        static JsonObject Property(string name, string schema, bool writable) => new() { ["@type"] = "Property", ["name"] = name, ["schema"] = schema, ["writable"] = writable };
        static JsonObject Component(string name, string displayName, JsonArray contents) => new()
        {
            ["@type"] = "Component",
            ["name"] = name,
            ["displayName"] = displayName,
            ["schema"] = new JsonObject { ["@id"] = $"dtmi:conformance:{name};1", ["@type"] = "Interface", ["contents"] = contents },
        };

        return new JsonObject
        {
            ["displayName"] = "Conformance: every capability the examples use",
            ["@type"] = new JsonArray("ModelDefinition", "DeviceModel"),
            ["capabilityModel"] = new JsonObject
            {
                ["@id"] = "dtmi:conformance:coveringModel;1",
                ["@type"] = "Interface",
                ["contents"] = new JsonArray(
                    Telemetry(),
                    Command(),
                    Component("sensors", "Sensors", [Telemetry()]),
                    Component("Thermostat_1o", "Thermostat", [Command()]),
                    Component("deviceinfo", "Device information", [Property("manufacturer", "string", false), Property("model", "string", false), Property("swVersion", "string", false)]),
                    Component("settings", "Settings", [Property("fanSpeed", "double", true), Property("voltage", "double", true), Property("current", "double", true), Property("irSwitch", "boolean", true)]),
                    Component("LocationTracking", "Location tracking", [Property("location", "string", false)]),
                    Component("EnvironmentSensing", "Environment sensing", [Telemetry()])),
            },
        };
    }

    /// <summary>A device body naming the shared template names the covering one instead (see <see cref="Substitutions"/>).</summary>
    private static void UseCoveringTemplate(PublishedExample example, JsonNode body)
    {
        if (example.OperationId.StartsWith("Devices_", StringComparison.Ordinal) && body is JsonObject device
            && device["template"] is JsonValue template && template.GetValueKind() == JsonValueKind.String && (string?)template == SharedTemplateId)
        {
            device["template"] = CoveringTemplateId;
        }
    }

    /// <summary>
    /// The example's device connects over MQTT and reports what the example reads (IoT Plug and Play conventions:
    /// a component is an object marked <c>"__t":"c"</c>; a writable property whose example shows an acknowledgement
    /// is reported as <c>{"value","ac","av","ad"}</c>), then the suite waits until the server shows every member.
    /// </summary>
    private async Task ReportPropertiesAsync(PublishedExample example, JsonObject parameters)
    {
        var deviceId = (string)parameters["deviceId"]!;
        var component = example.PathTemplate.Contains("/components/", StringComparison.Ordinal) ? (string?)parameters["componentName"] : null;
        if (example.ExpectedResponse.Body is not JsonObject expected)
        {
            return;
        }

        var reported = new JsonObject();
        if (component is null)
        {
            foreach (var (name, value) in expected)
            {
                if (value is JsonObject componentView)
                {
                    reported[name] = Reported(componentView);
                }
            }
        }
        else
        {
            reported[component] = Reported(expected);
        }

        var read = $"api/devices/{Uri.EscapeDataString(deviceId)}{(component is null ? "" : $"/components/{Uri.EscapeDataString(component)}")}/properties?api-version={SetupVersion}";
        var credentials = JsonNode.Parse(await _http!.GetStringAsync($"api/devices/{Uri.EscapeDataString(deviceId)}/credentials?api-version={SetupVersion}"))!;
        using var client = MqttDevice.CreateClient();
        var answered = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ApplicationMessageReceivedAsync += e =>
        {
            answered.TrySetResult(e.ApplicationMessage.Topic);
            return Task.CompletedTask;
        };
        await client.ConnectAsync(MqttDevice.Options(_server!, deviceId, (string)credentials["symmetricKey"]!["primaryKey"]!, cleanSession: true));
        await client.SubscribeAsync("$iothub/twin/res/#", MqttQualityOfServiceLevel.AtMostOnce);
        await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("$iothub/twin/PATCH/properties/reported/?$rid=1")
            .WithPayload(reported.ToJsonString()).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtMostOnce).Build());
        // IoT Hub answers a reported-properties update on $iothub/twin/res/204/?$rid=…&$version=….
        var topic = await answered.Task.WaitAsync(TimeSpan.FromSeconds(20));
        if (!topic.StartsWith("$iothub/twin/res/204/", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"the reported properties of '{deviceId}' were refused: {topic}");
        }

        await client.DisconnectAsync();
        var last = "";
        try
        {
            await Wait.UntilAsync(async () =>
            {
                using var response = await _http.GetAsync(read);
                last = await response.Content.ReadAsStringAsync();
                return response.IsSuccessStatusCode && JsonNode.Parse(last) is JsonObject view && expected.All(m => view.ContainsKey(m.Key));
            }, TimeSpan.FromSeconds(20), $"the properties of '{deviceId}' show what the example reads");
        }
        catch (TimeoutException timeout)
        {
            throw new TimeoutException($"{timeout.Message} The last answer was: {last}", timeout);
        }

        static JsonObject Reported(JsonObject view)
        {
            var metadata = view["$metadata"] as JsonObject;
            var values = new JsonObject { ["__t"] = "c" };
            foreach (var (name, value) in view)
            {
                if (name.StartsWith('$'))
                {
                    continue;
                }

                values[name] = metadata?[name]?["ackCode"] is { } code
                    ? new JsonObject { ["value"] = value?.DeepClone(), ["ac"] = code.DeepClone(), ["av"] = metadata[name]!["ackVersion"]?.DeepClone() ?? 1, ["ad"] = metadata[name]!["ackDescription"]?.DeepClone() ?? "" }
                    : value?.DeepClone();
            }

            return values;
        }
    }
}
