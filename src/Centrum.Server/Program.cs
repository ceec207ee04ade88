using Centrum.Server.Cli;
using Centrum.Server.Hosting;

if (args.Length > 0 && CommandLine.Verbs.Contains(args[0]))
{
    return await CommandLine.RunAsync(args);
}

var app = CentrumHost.Build(args);
await CentrumHost.PrepareAsync(app.Services, CancellationToken.None);
var endpoints = app.Services.GetRequiredService<ServerEndpoints>();
if (endpoints.CaCertificatePath is not null)
{
    Log.CaCertificate(app.Logger, endpoints.CaCertificatePath);
}

await app.RunAsync();
return 0;
