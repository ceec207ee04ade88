using Centrum.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Centrum.Server.Hosting;

/// <summary>The one place that wires metrics, traces and health checks.</summary>
internal static class Observability
{
    /// <summary>
    /// Every area's <c>ActivitySource</c>. One telemetry message is one trace: the gateway's <c>mqtt.publish</c>
    /// (source <c>Centrum.Gateway</c>), the store's <c>telemetry.commit</c> and each export's <c>export.deliver</c>.
    /// </summary>
    public static readonly string[] TraceSources =
    [
        Centrum.Gateway.GatewayDiagnostics.SourceName,
        TelemetryTracing.SourceName,
        Centrum.Export.ExportTracing.SourceName,
        Centrum.Commands.CommandsTracing.SourceName,
        Centrum.Twins.TwinsTracing.SourceName,
        Centrum.Provisioning.ProvisioningTracing.SourceName,
        Centrum.Templates.TemplatesTracing.SourceName,
        Centrum.Devices.DevicesTracing.SourceName,
        Centrum.Identity.IdentityTracing.SourceName,
        Centrum.Jobs.Execution.JobsTracing.SourceName,
        Centrum.Simulation.SimulationTelemetry.SourceName,
    ];

    public static WebApplicationBuilder AddCentrumObservability(this WebApplicationBuilder builder)
    {
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("centrum"))
            .WithMetrics(metrics => metrics
                .AddMeter(TelemetryMetrics.MeterName, "Centrum.Gateway", Centrum.Export.ExportMetrics.MeterName, Centrum.Jobs.Execution.JobsMetrics.MeterName, Centrum.Simulation.SimulationTelemetry.MeterName, Centrum.Storage.Writing.MetadataWriterMetrics.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddPrometheusExporter());

        // OTLP push of traces and metrics when an endpoint is configured (OTEL_EXPORTER_OTLP_ENDPOINT, with the other
        // OTEL_EXPORTER_OTLP_* variables of the OpenTelemetry specification), in addition to the Prometheus scrape.
        // Traces are recorded only then: without a collector nobody reads them, and an unlistened ActivitySource costs one
        // check per message instead of a span.
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            otel.WithTracing(tracing => tracing
                .AddSource(TraceSources)
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsProbe(context.Request.Path)));
            otel.UseOtlpExporter();
        }

        builder.Services.AddHealthChecks()
            .AddCheck<MetadataStoreHealthCheck>("metadata-store");
        return builder;
    }

    /// <summary>Health probes and scrapes arrive every few seconds and say nothing about a request's path through the areas.</summary>
    private static bool IsProbe(PathString path) => path.StartsWithSegments("/health") || path.StartsWithSegments("/metrics");
}
