namespace Centrum.IntegrationTests.Observability;

/// <summary>
/// With <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set, the server pushes its traces over OTLP: a REST call that saves a device
/// template reaches a collector (here a plain HTTP receiver of OTLP/HTTP protobuf) as ASP.NET Core's request span and
/// the spans of the areas it passes (the API token's verification, <c>templates.save</c>), under the service name <c>centrum</c>.
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

        // OTLP/HTTP bodies are protobuf; span names and attribute values are plain UTF-8 inside them. A span is exported
        // when it ends, so the request's span (ended last) may come in a later export than its children.
        string[] expected =
        [
            "centrum", "Centrum.Templates", "templates.save", "identity.verify_token",

            // ASP.NET Core's request span, with the attributes of OpenTelemetry's HTTP semantic conventions.
            "http.request.method",
        ];
        string Traces() => string.Concat(collector.At("/v1/traces").Select(r => r.Body));
        await Wait.UntilAsync(
            () => Task.FromResult(expected.All(e => Traces().Contains(e, StringComparison.Ordinal))),
            TimeSpan.FromSeconds(30), "the collector receives the request's and the areas' spans");
        var traces = Traces();
        Assert.DoesNotContain("/health/", traces, StringComparison.Ordinal);
    }
}
