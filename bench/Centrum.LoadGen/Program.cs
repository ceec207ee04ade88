using System.CommandLine;
using Centrum.LoadGen;

var host = new Option<string>("--host") { Description = "Address to dial.", Required = true };
var port = new Option<int>("--port") { DefaultValueFactory = _ => 8883 };
var ca = new Option<string>("--ca") { Description = "PEM of the CA that signed the server certificate.", Required = true };
var hub = new Option<string>("--hub") { Description = "Hub host name devices sign for.", DefaultValueFactory = _ => "default.centrum.bench" };
var devices = new Option<int>("--devices") { DefaultValueFactory = _ => 1000 };
var rate = new Option<int>("--rate") { Description = "Messages per second over all devices; 0 sends as fast as acknowledgements allow.", DefaultValueFactory = _ => 0 };
var window = new Option<int>("--window") { Description = "QoS 1 messages in flight per device.", DefaultValueFactory = _ => 1 };
var payload = new Option<int>("--payload") { Description = "Payload bytes (a JSON object padded to this size).", DefaultValueFactory = _ => 256 };
var duration = new Option<int>("--duration") { Description = "Seconds of measured load after all devices connected.", DefaultValueFactory = _ => 30 };
var keys = new Option<string?>("--keys") { Description = "File of 'deviceId key' lines: SAS credentials (Centrum). Without it devices connect without a password (a broker with anonymous access)." };
var label = new Option<string>("--label") { DefaultValueFactory = _ => "target" };

var root = new RootCommand("MQTT over TLS QoS 1 load generator: many devices, measured publish-to-PUBACK latency.")
{
    host, port, ca, hub, devices, rate, window, payload, duration, keys, label,
};
root.SetAction(async (result, cancellationToken) =>
{
    var settings = new LoadSettings(
        result.GetValue(host)!, result.GetValue(port), result.GetValue(ca)!, result.GetValue(hub)!, result.GetValue(devices),
        result.GetValue(rate), result.GetValue(window), result.GetValue(payload), TimeSpan.FromSeconds(result.GetValue(duration)),
        result.GetValue(keys), result.GetValue(label)!);
    var report = await new LoadRun(settings).RunAsync(cancellationToken);
    Console.WriteLine(report.ToJson());
    return report.Errors > 0 && report.Acknowledged == 0 ? 1 : 0;
});
var multiplex = new Option<bool>("--multiplex") { Description = "Every device on one AMQP connection instead of one connection each." };
var amqpLoad = new Command("amqp", "The same telemetry load over AMQP 1.0/TLS (put-token, one sender link per device).")
{
    host, port, ca, hub, devices, window, payload, duration, keys, label, multiplex,
};
amqpLoad.SetAction(async (result, cancellationToken) =>
{
    var settings = new LoadSettings(
        result.GetValue(host)!, result.GetValue(port), result.GetValue(ca)!, result.GetValue(hub)!, result.GetValue(devices),
        0, result.GetValue(window), result.GetValue(payload), TimeSpan.FromSeconds(result.GetValue(duration)),
        result.GetValue(keys), result.GetValue(label)!);
    var report = await new AmqpRun(settings, result.GetValue(multiplex)).RunAsync(cancellationToken);
    Console.WriteLine(report.ToJson());
    return report.Errors > 0 && report.Acknowledged == 0 ? 1 : 0;
});
root.Subcommands.Add(amqpLoad);

var api = new Option<string>("--api") { Description = "Base address of Centrum's HTTPS endpoint.", Required = true };
var token = new Option<string>("--token") { Required = true };
var output = new Option<string>("--out") { Required = true };
var jobTemplate = new Option<bool>("--job-template") { Description = "Create the jobs bench's template (a writable property and a command) and the devices on it." };
var provision = new Command("provision", "Create the bench devices through the REST API and write their keys.") { api, token, ca, devices, output, jobTemplate };
provision.SetAction(async (result, cancellationToken) =>
{
    await Provisioner.RunAsync(result.GetValue(api)!, result.GetValue(token)!, result.GetValue(ca)!, result.GetValue(devices), result.GetValue(output)!, result.GetValue(jobTemplate), cancellationToken);
    return 0;
});
root.Subcommands.Add(provision);

var concurrency = new Option<int>("--concurrency") { Description = "REST commands in flight.", DefaultValueFactory = _ => 32 };
var commands = new Command("commands", "Command round trips over REST and reported-property updates across a connected fleet.")
{
    host, port, ca, hub, devices, duration, keys, api, token, concurrency,
};
commands.SetAction(async (result, cancellationToken) =>
{
    var settings = new LoadSettings(result.GetValue(host)!, result.GetValue(port), result.GetValue(ca)!, result.GetValue(hub)!, result.GetValue(devices),
        0, 1, 0, TimeSpan.FromSeconds(result.GetValue(duration)), result.GetValue(keys), "commands");
    Console.WriteLine(await new CommandRun(settings, result.GetValue(api)!, result.GetValue(token)!, result.GetValue(concurrency)).RunAsync(cancellationToken));
    return 0;
});
root.Subcommands.Add(commands);

var drain = new Option<int>("--drain") { Description = "Seconds to wait, after publishing stops, for the export to deliver every acknowledged message.", DefaultValueFactory = _ => 120 };
// Centrum's WebhookSender.MaxDevicesInFlight: the reference posts with the export's own concurrency.
var senders = new Option<int>("--senders") { Description = "Devices in flight in the direct-POST reference.", DefaultValueFactory = _ => 16 };
var warmup = new Option<int>("--warmup") { Description = "Seconds of publishing before the measured duration, delivered and checked but left out of rates and lags.", DefaultValueFactory = _ => 20 };
var timeline = new Option<string?>("--timeline") { Description = "CSV file for the export's deliveries per second since publishing began, with their lag." };
var export = new Command("export", "Continuous data export to an in-process webhook at a sustained rate: delivered rate against direct POSTs, publish-to-receipt lag.")
{
    host, port, ca, hub, devices, rate, window, payload, duration, keys, api, token, warmup, drain, senders, timeline,
};
export.SetAction(async (result, cancellationToken) =>
{
    var load = new LoadSettings(result.GetValue(host)!, result.GetValue(port), result.GetValue(ca)!, result.GetValue(hub)!, result.GetValue(devices),
        result.GetValue(rate), result.GetValue(window), result.GetValue(payload), TimeSpan.FromSeconds(result.GetValue(warmup) + result.GetValue(duration)), result.GetValue(keys), "export");
    var report = await new ExportRun(new ExportSettings(load, TimeSpan.FromSeconds(result.GetValue(warmup)), result.GetValue(api)!, result.GetValue(token)!, TimeSpan.FromSeconds(result.GetValue(drain)), result.GetValue(senders), result.GetValue(timeline)))
        .RunAsync(cancellationToken);
    Console.WriteLine(report.ToJson());
    return report.Drained && report.OutOfOrder == 0 ? 0 : 1;
});
root.Subcommands.Add(export);
var junkFrom = new Option<string[]>("--junk-from") { Description = "Loopback source addresses of the junk hosts.", DefaultValueFactory = _ => ["127.250.0.1"], AllowMultipleArgumentsPerToken = true };
var junkConcurrency = new Option<int>("--junk-concurrency") { Description = "Junk connections in flight per junk host.", DefaultValueFactory = _ => 32 };
var storm = new Command("storm", "Junk CONNECTs (wrong keys) as fast as answered while real devices connect, publish and disconnect: junk rate and device connect latency, with a no-junk baseline.")
{
    host, port, ca, hub, devices, duration, keys, junkFrom, junkConcurrency,
};
storm.SetAction(async (result, cancellationToken) =>
{
    var load = new LoadSettings(result.GetValue(host)!, result.GetValue(port), result.GetValue(ca)!, result.GetValue(hub)!, result.GetValue(devices),
        0, 1, 0, TimeSpan.FromSeconds(result.GetValue(duration)), result.GetValue(keys), "storm");
    var addresses = result.GetValue(junkFrom)!.Select(System.Net.IPAddress.Parse).ToArray();
    Console.WriteLine(await new StormRun(new StormSettings(load, addresses, result.GetValue(junkConcurrency))).RunAsync(cancellationToken));
    return 0;
});
root.Subcommands.Add(storm);
var telemetryDevices = new Option<int>("--telemetry-devices") { Description = "Devices that send telemetry (at --rate over all of them) throughout the jobs run.", DefaultValueFactory = _ => 1000 };
var serverPid = new Option<int?>("--server-pid") { Description = "Process id of the server, whose resident memory is sampled from /proc." };
var jobTimeout = new Option<int>("--job-timeout") { Description = "Seconds a job may take before the run gives up waiting for it.", DefaultValueFactory = _ => 900 };
var jobs = new Command("jobs", "A command job and a property job over a group of every connected device, with paced telemetry from a share of them: job time, devices/s, server memory, telemetry rate with and without a job.")
{
    host, port, ca, hub, devices, rate, duration, keys, api, token, telemetryDevices, serverPid, jobTimeout,
};
jobs.SetAction(async (result, cancellationToken) =>
{
    var load = new LoadSettings(result.GetValue(host)!, result.GetValue(port), result.GetValue(ca)!, result.GetValue(hub)!, result.GetValue(devices),
        result.GetValue(rate), 1, 0, TimeSpan.FromSeconds(result.GetValue(duration)), result.GetValue(keys), "jobs");
    var run = new JobRun(new JobSettings(load, result.GetValue(api)!, result.GetValue(token)!, result.GetValue(telemetryDevices), result.GetValue(serverPid),
        TimeSpan.FromSeconds(result.GetValue(jobTimeout))));
    Console.WriteLine(await run.RunAsync(cancellationToken));
    return 0;
});
root.Subcommands.Add(jobs);
var sources = new Option<string[]>("--from") { Description = "Loopback source addresses the devices dial from, round robin.", DefaultValueFactory = _ => ["127.0.0.1"], AllowMultipleArgumentsPerToken = true };
var connectConcurrency = new Option<int>("--concurrency") { Description = "Devices connecting at once.", DefaultValueFactory = _ => 200 };
var brokerPid = new Option<int>("--server-pid") { Description = "Process id of the broker, whose resident memory is read from /proc.", Required = true };
var dotnetBroker = new Option<bool>("--dotnet") { Description = "The broker is a .NET process: force a full GC before each memory reading." };
var metricsUrl = new Option<string?>("--metrics") { Description = "Prometheus endpoint of the broker, for its managed heap." };
var keepAlive = new Option<int>("--keep-alive") { Description = "Keep-alive the devices ask for, in seconds.", DefaultValueFactory = _ => 1200 };
var hold = new Option<int>("--hold") { Description = "Seconds to keep the fleet connected after the memory reading (to profile the broker).", DefaultValueFactory = _ => 0 };
var connections = new Command("connections", "Devices connect at once over TLS (SAS, CleanSession=0, the Node SDK's three SUBSCRIBEs) and hold: storm time and the broker's memory per connection.")
{
    host, port, ca, hub, devices, keys, label, sources, connectConcurrency, brokerPid, dotnetBroker, metricsUrl, keepAlive, hold,
};
connections.SetAction(async (result, cancellationToken) =>
{
    var load = new LoadSettings(result.GetValue(host)!, result.GetValue(port), result.GetValue(ca)!, result.GetValue(hub)!, result.GetValue(devices),
        0, 1, 0, TimeSpan.Zero, result.GetValue(keys), result.GetValue(label)!);
    var run = new ConnectionsRun(new ConnectionsSettings(load, result.GetValue(sources)!.Select(System.Net.IPAddress.Parse).ToArray(), result.GetValue(connectConcurrency),
        result.GetValue(brokerPid), result.GetValue(dotnetBroker), result.GetValue(metricsUrl), result.GetValue(keepAlive), TimeSpan.FromSeconds(result.GetValue(hold))));
    Console.WriteLine(await run.RunAsync(cancellationToken));
    return 0;
});
root.Subcommands.Add(connections);
var callers = new Option<int>("--callers") { Description = "REST callers creating devices at once.", DefaultValueFactory = _ => 32 };
var creation = new Command("devices", "Device creation through REST: concurrent callers PUT new devices; creations/s and PUT latency, then pairs of callers racing on the same new ids.")
{
    api, token, ca, devices, callers,
};
creation.SetAction(async (result, cancellationToken) =>
{
    Console.WriteLine(await new DeviceCreationRun(result.GetValue(api)!, result.GetValue(token)!, result.GetValue(ca)!, result.GetValue(devices), result.GetValue(callers)).RunAsync(cancellationToken));
    return 0;
});
root.Subcommands.Add(creation);
return await root.Parse(args).InvokeAsync();
