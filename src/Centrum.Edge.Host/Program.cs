using Centrum.Edge;
using Microsoft.Extensions.Options;

// Settings come from appsettings.json beside the executable, environment variables (Edge__Upstream__SharedAccessKey)
// and the command line (--Edge:HubHostName=…), later ones winning; see docs/edge.md.
try
{
    var app = EdgeHost.Build(args);
    await app.RunAsync();
    return 0;
}
catch (OptionsValidationException ex)
{
    // A setting that is missing or out of range stops the edge before it touches its store or the network.
    await Console.Error.WriteLineAsync("centrum-edge: invalid settings:\n  " + string.Join("\n  ", ex.Failures));
    return 2;
}
