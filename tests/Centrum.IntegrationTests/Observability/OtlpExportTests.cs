namespace Centrum.IntegrationTests.Observability;

/// <summary>
/// With <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set, the server pushes its traces over OTLP: a REST call that saves a device
/// template reaches a collector (here a plain HTTP receiver of OTLP/HTTP protobuf) as ASP.NET Core's request span and
/// the templates area's <c>templates.save</c> span, under the service name <c>centrum</c>.
/// </summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task Traces_reach_the_configured_OTLP_collector()
    {
        await using var collector = await WebhookReceiver.StartAsync();
        await using var server = await CentrumServer.StartAsync(new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Url.ToString().TrimEnd('/'),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            // Export every 200 ms instead of every 5 s, so the test waits on the condition, not on the schedule.
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        });
        await Export.ExportTests.CreateTemplateAsync(server.AdminHttp());

        // OTLP/HTTP bodies are protobuf; span names and attribute values are plain UTF-8 inside them.
        await Wait.UntilAsync(
            () => Task.FromResult(collector.At("/v1/traces").Any(r => r.Body.Contains("templates.save", StringComparison.Ordinal))),
            TimeSpan.FromSeconds(30), "the collector receives the template's span");
        var traces = string.Concat(collector.At("/v1/traces").Select(r => r.Body));
        Assert.Contains("centrum", traces, StringComparison.Ordinal);
        Assert.Contains("Centrum.Templates", traces, StringComparison.Ordinal);

        // ASP.NET Core's request span, with the attributes of OpenTelemetry's HTTP semantic conventions.
        Assert.Contains("http.request.method", traces, StringComparison.Ordinal);
        Assert.DoesNotContain("/health/", traces, StringComparison.Ordinal);
    }
}
