using Centrum.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Centrum.Server.Hosting;

/// <summary>The one place that wires metrics and health checks.</summary>
internal static class Observability
{
    public static WebApplicationBuilder AddCentrumObservability(this WebApplicationBuilder builder)
    {
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("centrum"))
            .WithMetrics(metrics => metrics
                .AddMeter(TelemetryMetrics.MeterName, "Centrum.Gateway", Centrum.Export.ExportMetrics.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddPrometheusExporter());

        // OTLP push when an endpoint is configured (OTEL_EXPORTER_OTLP_ENDPOINT), in addition to the Prometheus scrape.
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            otel.UseOtlpExporter();
        }

        builder.Services.AddHealthChecks()
            .AddCheck<MetadataStoreHealthCheck>("metadata-store");
        return builder;
    }
}
