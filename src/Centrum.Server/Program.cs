using System.Diagnostics;
using Centrum.Server.Cli;
using Centrum.Server.Hosting;

if (args.Length > 0 && CommandLine.Verbs.Contains(args[0]))
{
    return await CommandLine.RunAsync(args);
}

// Each phase is logged at Debug (Logging:LogLevel:centrum=Debug) to show where start-up time goes.
var phase = Stopwatch.StartNew();
WebApplication app;
try
{
    app = CentrumHost.Build(args);
}
catch (Exception ex) when (StartupFailure.Find(ex) is { } invalid)
{
    return StartupFailure.Report(invalid);
}

var built = phase.ElapsedMilliseconds;
phase.Restart();
await CentrumHost.PrepareAsync(app.Services, CancellationToken.None);
var prepared = phase.ElapsedMilliseconds;
phase.Restart();
await app.StartAsync();
Log.StartupPhase(app.Logger, "build (configuration, services, certificates)", built);
Log.StartupPhase(app.Logger, "prepare (migrations, default application)", prepared);
Log.StartupPhase(app.Logger, "start (hosted services, listeners)", phase.ElapsedMilliseconds);

var endpoints = app.Services.GetRequiredService<ServerEndpoints>();
// From the process start, so the figure includes the runtime's own start-up.
using var process = Process.GetCurrentProcess();
Log.Ready(app.Logger, (long)(DateTime.Now - process.StartTime).TotalMilliseconds,
    endpoints.Mqtt, endpoints.Https, endpoints.Management, endpoints.CaCertificatePath ?? "(the operator's certificate: Centrum:Tls:CertificatePath)");
await app.WaitForShutdownAsync();
return 0;
