using Centrum.Edge;

// Settings come from appsettings.json beside the executable, environment variables (Edge__Upstream__SharedAccessKey)
// and the command line (--Edge:HubHostName=…), in that order of precedence from last to first; see docs/edge.md.
var app = EdgeHost.Build(args);
await app.RunAsync();
