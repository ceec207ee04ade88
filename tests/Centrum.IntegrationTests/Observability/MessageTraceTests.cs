using MQTTnet;
using MQTTnet.Protocol;

namespace Centrum.IntegrationTests.Observability;

/// <summary>
/// One telemetry message is one trace, end to end through the real server: a device's MQTT PUBLISH starts
/// <c>mqtt.publish</c>, the store's <c>telemetry.commit</c> is its child, and the webhook export's
/// <c>export.deliver</c> the commit's child; all three reach the OTLP collector the server is pointed at
/// (OTLP/HTTP protobuf, read by <see cref="OtlpSpans"/>) with one trace id.
/// </summary>
public sealed class MessageTraceTests
{
    [Fact]
    public async Task A_published_message_is_one_trace_from_publish_through_commit_to_export_delivery()
    {
        await using var collector = await WebhookReceiver.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await CentrumServer.StartAsync(new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Url.ToString().TrimEnd('/'),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            // Export every 200 ms instead of every 5 s, so the test waits on the condition, not on the schedule.
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        });
        var http = server.AdminHttp();
        await Export.ExportTests.CreateTemplateAsync(http);
        var key = await http.CreateDeviceAsync("traced-1", $$$"""{"template":"{{{Export.ExportTests.Model}}}"}""");
        await Export.ExportTests.PutAsync(http, "dataExport/destinations/hook",
            $$$"""{"displayName":"Hook","type":"webhook@v1","url":"{{{receiver.Url}}}traced","authorization":{"type":"header","value":"Bearer t"}}""");
        await Export.ExportTests.PutAsync(http, "dataExport/exports/all",
            """{"displayName":"All","enabled":true,"source":"telemetry","destinations":[{"id":"hook"}]}""");

        using (var client = MqttDevice.CreateClient())
        {
            await client.ConnectAsync(MqttDevice.Options(server, "traced-1", key, cleanSession: true));
            await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("devices/traced-1/messages/events/%24.ct=application%2Fjson&%24.ce=utf-8")
                .WithPayload("""{"temperature":21.5}""").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
            await client.DisconnectAsync();
        }

        await Wait.UntilAsync(() => Task.FromResult(receiver.At("/traced").Count == 1), TimeSpan.FromSeconds(30), "the export delivers the message");
        IReadOnlyList<OtlpSpans.Span> spans = [];
        await Wait.UntilAsync(() =>
        {
            spans = collector.At("/v1/traces").SelectMany(r => OtlpSpans.Read(r.Raw)).ToList();
            return Task.FromResult(spans.Any(s => s.Name == "export.deliver"));
        }, TimeSpan.FromSeconds(30), "the collector receives the delivery span");

        var publish = Assert.Single(spans, s => s.Name == "mqtt.publish");
        var commit = Assert.Single(spans, s => s.Name == "telemetry.commit");
        var delivery = Assert.Single(spans, s => s.Name == "export.deliver");
        Assert.Equal(32, publish.TraceId.Length);
        Assert.Equal(publish.TraceId, commit.TraceId);
        Assert.Equal(publish.SpanId, commit.ParentSpanId);
        Assert.Equal(publish.TraceId, delivery.TraceId);
        Assert.Equal(commit.SpanId, delivery.ParentSpanId);
    }
}
