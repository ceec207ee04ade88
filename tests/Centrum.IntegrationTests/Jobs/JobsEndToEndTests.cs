using System.Net;
using System.Text.Json.Nodes;
using static Centrum.IntegrationTests.Jobs.JobsRest;

namespace Centrum.IntegrationTests.Jobs;

/// <summary>
/// Jobs (IoT Central REST API 2022-07-31, Jobs) run by the real server on devices of the Azure IoT Node.js SDK:
/// writable properties acknowledged with the Plug and Play acknowledgement, commands answered by
/// <c>onDeviceMethod</c>, batches, re-runs, cancellation thresholds, stop and resume, and a hard kill mid-job.
/// Each test's devices run in one Node process (tests/node/fleet.js), each device its own SDK client and connection.
/// </summary>
public sealed class JobsEndToEndTests
{
    private const string Template = "dtmi:com:example:JobFan;1";
    private const string NewTemplate = "dtmi:com:example:JobFan;2";
    private static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task A_property_job_over_a_group_runs_in_batches_fails_the_offline_devices_and_a_rerun_completes_them()
    {
        // 60 devices, 10 of them offline, in batches of 20: the offline ones are spread so every batch holds some,
        // which makes each batch last the connection timeout and the batch boundaries visible in time.
        const int connectionTimeoutSeconds = 6;
        await using var server = await CentrumServer.StartAsync();
        var http = server.AdminHttp();
        await PutTemplateAsync(http, Template, "Fan");
        var ids = Enumerable.Range(0, 60).Select(i => $"fan-{i:D2}").ToList();
        var offline = ids.Where((_, i) => i % 6 == 5).ToList();
        var online = ids.Except(offline).ToList();
        var keys = await CreateDevicesAsync(http, ids, Template);
        await PutGroupAsync(http, "fans", $"SELECT * FROM devices WHERE $template = \"{Template}\"");
        await using var fleet = NodeFleet.Start(server, keys, new JsonObject
        {
            ["offline"] = Ids(offline),
            ["ack"] = new JsonObject { ["code"] = 200, ["description"] = "applied" },
        });
        await fleet.WaitReadyAsync(server, online, NodeFleet.DesiredFilter);

        var created = await PutJobAsync(http, "fan-speed", new JsonObject
        {
            ["displayName"] = "Fan speed 3",
            ["group"] = "fans",
            ["batch"] = new JsonObject { ["type"] = "number", ["value"] = 20 },
            ["data"] = new JsonArray(PropertyData(Template, 3)),
            ["connectionTimeout"] = connectionTimeoutSeconds,
        });
        Assert.Equal("fan-speed", (string?)created["id"]);

        // Watch the job's devices while it runs: whenever a device of a batch has left pending, every device of the
        // batch before it has ended.
        var snapshots = new List<List<(string Id, string Status, string? Reason)>>();
        JsonObject? job = null;
        await Wait.UntilAsync(async () =>
        {
            snapshots.Add(await DevicesAsync(http, "fan-speed"));
            job = await GetJobAsync(http, "fan-speed");
            return (string?)job["status"] is "complete" or "failed" or "cancelled";
        }, JobTimeout, "the property job ends");

        Assert.Equal("complete", (string?)job!["status"]);
        Assert.Equal((60, 0, 50, 10), Progress(job));
        var final = await DevicesAsync(http, "fan-speed");
        Assert.Equal(ids.Order(StringComparer.Ordinal), final.Select(d => d.Id).Order(StringComparer.Ordinal));
        foreach (var (id, status, reason) in final)
        {
            if (offline.Contains(id))
            {
                // The reason names the wait the device did not meet.
                Assert.True(status == "failed" && reason?.Contains($"{connectionTimeoutSeconds} s", StringComparison.Ordinal) == true, $"offline {id}: {status} ({reason})");
            }
            else
            {
                Assert.True(status == "completed", $"online {id}: {status} ({reason})");
            }
        }

        // Every online device was sent the value and acknowledged the version it was sent.
        foreach (var id in online)
        {
            var desired = fleet.Of(id, "desired")[^1]["desired"]!;
            Assert.Equal(3, (int)desired["fanSpeed"]!);
            Assert.Contains(fleet.Of(id, "acked"), a => (int)a["version"]! == (int)desired["$version"]! && a["error"] is null);
        }

        var batches = final.Select(d => d.Id).Chunk(20).ToList();
        Assert.Equal(3, batches.Count);
        foreach (var snapshot in snapshots)
        {
            // A device not yet listed (the job lists its targets as it starts) has not started either.
            var listed = snapshot.ToDictionary(d => d.Id, d => d.Status);
            string Status(string id) => listed.GetValueOrDefault(id, "pending");
            for (var b = 1; b < batches.Count; b++)
            {
                if (batches[b].Any(id => Status(id) != "pending"))
                {
                    Assert.All(batches[b - 1], id => Assert.True(Status(id) is "completed" or "failed", $"{id} of batch {b} is {Status(id)} while batch {b + 1} has started"));
                }
            }
        }

        // The job was seen mid-way: the first batch under way while the second had not started.
        Assert.Contains(snapshots, snapshot =>
            snapshot.Any(d => batches[0].Contains(d.Id) && d.Status is "running" or "pending") && snapshot.Any(d => batches[0].Contains(d.Id) && d.Status != "pending")
            && !snapshot.Any(d => batches[1].Contains(d.Id) && d.Status != "pending"));

        // The devices' own clock (one process) tells the same: a batch's first property arrives after the last
        // acknowledgement of the batch before was sent, and not before that batch's offline devices were waited for.
        for (var b = 1; b < batches.Count; b++)
        {
            var previous = batches[b - 1].Where(online.Contains).ToList();
            var current = batches[b].Where(online.Contains).ToList();
            var previousFirst = previous.Min(id => (long)fleet.Of(id, "desired")[0]["t"]!);
            var previousLastAck = previous.Max(id => (long)fleet.Of(id, "acked")[0]["sent"]!);
            var currentFirst = current.Min(id => (long)fleet.Of(id, "desired")[0]["t"]!);
            Assert.True(currentFirst >= previousLastAck, $"batch {b + 1} began at {currentFirst}, before batch {b}'s last acknowledgement at {previousLastAck}");
            if (batches[b - 1].Any(offline.Contains))
            {
                Assert.True(currentFirst - previousFirst >= (connectionTimeoutSeconds - 1) * 1000,
                    $"batch {b + 1} began {currentFirst - previousFirst} ms after batch {b}, which waited {connectionTimeoutSeconds} s for its offline devices");
            }
        }

        // The offline devices connect; a re-run takes only the failed ones and completes them.
        fleet.Connect(offline);
        await fleet.WaitReadyAsync(server, offline, NodeFleet.DesiredFilter);
        var rerun = await http.PutAsync($"api/jobs/fan-speed/rerun/fan-speed-again?{DeviceApi.Version}", null);
        Assert.True(rerun.StatusCode == HttpStatusCode.OK, await rerun.Content.ReadAsStringAsync());
        var again = await WaitForStatusAsync(http, "fan-speed-again", JobTimeout, "complete", "failed", "cancelled");
        Assert.Equal("complete", (string?)again["status"]);
        Assert.Equal((10, 0, 10, 0), Progress(again));
        var rerunDevices = await DevicesAsync(http, "fan-speed-again");
        Assert.Equal(offline.Order(StringComparer.Ordinal), rerunDevices.Select(d => d.Id).Order(StringComparer.Ordinal));
        Assert.All(rerunDevices, d => Assert.Equal("completed", d.Status));
        foreach (var id in offline)
        {
            var properties = await http.GetJsonAsync($"api/devices/{id}/properties");
            Assert.Equal(3, (int)properties["fanSpeed"]!);
            Assert.Contains(fleet.Of(id, "acked"), a => a["error"] is null);
        }

        // The first job keeps its own outcome.
        Assert.Equal((60, 0, 50, 10), Progress(await GetJobAsync(http, "fan-speed")));
    }

    [Fact]
    public async Task A_command_job_completes_the_devices_that_answer_success_and_fails_the_one_that_answers_an_error()
    {
        await using var server = await CentrumServer.StartAsync();
        var http = server.AdminHttp();
        await PutTemplateAsync(http, Template, "Fan");
        var ids = Enumerable.Range(0, 5).Select(i => $"cmd-{i}").ToList();
        var keys = await CreateDevicesAsync(http, ids, Template);
        await using var fleet = NodeFleet.Start(server, keys, new JsonObject
        {
            ["methods"] = new JsonObject { ["reboot"] = new JsonObject { ["status"] = 200, ["payload"] = new JsonObject { ["rebooting"] = true } } },
            ["answers"] = new JsonObject { ["cmd-3"] = new JsonObject { ["reboot"] = new JsonObject { ["status"] = 500, ["payload"] = new JsonObject { ["error"] = "overheated" } } } },
        });
        await fleet.WaitReadyAsync(server, ids, NodeFleet.MethodsFilter);

        await PutJobAsync(http, "reboot-all", new JsonObject
        {
            ["devices"] = Ids(ids),
            ["data"] = new JsonArray(CommandData(Template, 5)),
            ["connectionTimeout"] = 30,
        });
        var job = await WaitForStatusAsync(http, "reboot-all", JobTimeout, "complete", "failed", "cancelled");

        Assert.Equal("complete", (string?)job["status"]);
        Assert.Equal((5, 0, 4, 1), Progress(job));
        var devices = (await DevicesAsync(http, "reboot-all")).ToDictionary(d => d.Id);
        Assert.All(ids.Where(id => id != "cmd-3"), id => Assert.Equal("completed", devices[id].Status));
        Assert.Equal("failed", devices["cmd-3"].Status);
        Assert.Contains("500", devices["cmd-3"].Reason, StringComparison.Ordinal);
        Assert.Contains("overheated", devices["cmd-3"].Reason, StringComparison.Ordinal);
        Assert.All(ids.Where(id => id != "cmd-3"), id => Assert.Null(devices[id].Reason));
        foreach (var id in ids)
        {
            var call = Assert.Single(fleet.Of(id, "method"));
            Assert.Equal(5, (int)call["payload"]!);
        }

        // The job's calls are in each device's command history, as a REST call's would be.
        var history = await http.GetJsonAsync("api/devices/cmd-3/commands/reboot");
        Assert.Equal(500, (int)Assert.Single(history["value"]!.AsArray())!["responseCode"]!);
    }

    [Fact]
    public async Task A_template_migration_job_moves_its_devices_to_the_new_template()
    {
        await using var server = await CentrumServer.StartAsync();
        var http = server.AdminHttp();
        await PutTemplateAsync(http, Template, "Fan");
        await PutTemplateAsync(http, NewTemplate, "Fan 2");
        var ids = Enumerable.Range(0, 4).Select(i => $"migrate-{i}").ToList();
        var keys = await CreateDevicesAsync(http, ids, Template);
        var untouched = (await CreateDevicesAsync(http, ["stay-0"], Template)).Single();
        await using var fleet = NodeFleet.Start(server, keys, new JsonObject { ["ack"] = new JsonObject { ["code"] = 200, ["description"] = "applied" } });
        await fleet.WaitReadyAsync(server, ids, NodeFleet.DesiredFilter);

        await PutJobAsync(http, "to-v2", new JsonObject
        {
            ["devices"] = Ids(ids),
            ["data"] = new JsonArray(new JsonObject { ["type"] = "deviceTemplateMigration", ["template"] = NewTemplate }),
        });
        var job = await WaitForStatusAsync(http, "to-v2", JobTimeout, "complete", "failed", "cancelled");

        Assert.Equal("complete", (string?)job["status"]);
        Assert.Equal((4, 0, 4, 0), Progress(job));
        foreach (var id in ids)
        {
            Assert.Equal(NewTemplate, (string?)(await http.GetJsonAsync($"api/devices/{id}"))["template"]);
        }

        Assert.Equal(Template, (string?)(await http.GetJsonAsync($"api/devices/{untouched.Key}"))["template"]);

        // A migrated device takes a property job of its new template like any other.
        await PutJobAsync(http, "v2-speed", new JsonObject
        {
            ["devices"] = Ids(ids.Take(1)),
            ["data"] = new JsonArray(PropertyData(NewTemplate, 7)),
            ["connectionTimeout"] = 30,
        });
        Assert.Equal((1, 0, 1, 0), Progress(await WaitForStatusAsync(http, "v2-speed", JobTimeout, "complete", "failed", "cancelled")));
    }

    [Fact]
    public async Task A_cancellation_threshold_cancels_a_job_whose_devices_answer_errors_and_leaves_the_rest_pending()
    {
        await using var server = await CentrumServer.StartAsync();
        var http = server.AdminHttp();
        await PutTemplateAsync(http, Template, "Fan");
        var ids = Enumerable.Range(0, 6).Select(i => $"broken-{i}").ToList();
        var keys = await CreateDevicesAsync(http, ids, Template);
        await using var fleet = NodeFleet.Start(server, keys, new JsonObject
        {
            ["methods"] = new JsonObject { ["reboot"] = new JsonObject { ["status"] = 503, ["payload"] = new JsonObject { ["error"] = "busy" } } },
        });
        await fleet.WaitReadyAsync(server, ids, NodeFleet.MethodsFilter);

        await PutJobAsync(http, "reboot-broken", new JsonObject
        {
            ["devices"] = Ids(ids),
            ["batch"] = new JsonObject { ["type"] = "number", ["value"] = 2 },
            ["cancellationThreshold"] = new JsonObject { ["type"] = "number", ["value"] = 2, ["batch"] = false },
            ["data"] = new JsonArray(CommandData(Template, 1)),
            ["connectionTimeout"] = 30,
        });
        var job = await WaitForStatusAsync(http, "reboot-broken", JobTimeout, "complete", "failed", "cancelled");

        Assert.Equal("cancelled", (string?)job["status"]);
        var devices = await DevicesAsync(http, "reboot-broken");
        var first = devices.Take(2).ToList();
        var rest = devices.Skip(2).ToList();
        Assert.All(first, d => Assert.True(d.Status == "failed" && d.Reason is not null && d.Reason.Contains("503", StringComparison.Ordinal), $"{d.Id}: {d.Status} ({d.Reason})"));
        Assert.All(rest, d => Assert.Equal("pending", d.Status));
        Assert.Equal((6, 4, 0, 2), Progress(job));
        Assert.All(first, d => Assert.Single(fleet.Of(d.Id, "method")));
        Assert.All(rest, d => Assert.Empty(fleet.Of(d.Id, "method")));
    }

    [Fact]
    public async Task A_stopped_job_starts_no_further_device_and_resumed_it_completes_each_device_once()
    {
        // Batches of one device that takes its time to answer: the job is mid-way long enough to be stopped.
        const int answerMilliseconds = 2500;
        await using var server = await CentrumServer.StartAsync();
        var http = server.AdminHttp();
        await PutTemplateAsync(http, Template, "Fan");
        var ids = Enumerable.Range(0, 5).Select(i => $"slow-{i}").ToList();
        var keys = await CreateDevicesAsync(http, ids, Template);
        await using var fleet = NodeFleet.Start(server, keys, new JsonObject
        {
            ["methods"] = new JsonObject { ["reboot"] = new JsonObject { ["status"] = 200, ["delayMs"] = answerMilliseconds } },
        });
        await fleet.WaitReadyAsync(server, ids, NodeFleet.MethodsFilter);

        await PutJobAsync(http, "reboot-slowly", new JsonObject
        {
            ["devices"] = Ids(ids),
            ["batch"] = new JsonObject { ["type"] = "number", ["value"] = 1 },
            ["data"] = new JsonArray(CommandData(Template, 0)),
            ["connectionTimeout"] = 30,
        });
        await Wait.UntilAsync(() => Task.FromResult(fleet.All("method").Count >= 1), JobTimeout, "the first device is called");
        await PostAsync(http, "api/jobs/reboot-slowly/stop");
        Assert.Equal("stopped", (string?)(await GetJobAsync(http, "reboot-slowly"))["status"]);

        // The device in flight finishes; then nothing starts over a span in which three more devices would have been
        // called had the job kept running.
        await Wait.UntilAsync(async () => (await DevicesAsync(http, "reboot-slowly")).All(d => d.Status is "pending" or "completed"), JobTimeout, "the call in flight ends");
        var calledAtStop = fleet.All("method").Count;
        Assert.InRange(calledAtStop, 1, 2);
        var quiet = DateTime.UtcNow + TimeSpan.FromMilliseconds(answerMilliseconds * 3);
        while (DateTime.UtcNow < quiet)
        {
            Assert.Equal(calledAtStop, fleet.All("method").Count);
            Assert.Equal("stopped", (string?)(await GetJobAsync(http, "reboot-slowly"))["status"]);
            await Task.Delay(200);
        }

        var stopped = await DevicesAsync(http, "reboot-slowly");
        Assert.Equal(calledAtStop, stopped.Count(d => d.Status == "completed"));
        Assert.Equal(ids.Count - calledAtStop, stopped.Count(d => d.Status == "pending"));

        await PostAsync(http, "api/jobs/reboot-slowly/resume");
        var job = await WaitForStatusAsync(http, "reboot-slowly", JobTimeout, "complete", "failed", "cancelled");
        Assert.Equal("complete", (string?)job["status"]);
        Assert.Equal((5, 0, 5, 0), Progress(job));
        Assert.All(ids, id => Assert.Single(fleet.Of(id, "method")));
    }

    [Fact]
    public async Task A_server_killed_mid_job_finishes_it_after_restart_and_calls_no_device_twice()
    {
        await using var server = await CentrumServer.StartAsync();
        var http = server.AdminHttp();
        await PutTemplateAsync(http, Template, "Fan");
        var ids = Enumerable.Range(0, 8).Select(i => $"crash-{i}").ToList();
        var keys = await CreateDevicesAsync(http, ids, Template);
        await using var fleet = NodeFleet.Start(server, keys, new JsonObject
        {
            ["methods"] = new JsonObject { ["reboot"] = new JsonObject { ["status"] = 200, ["delayMs"] = 1500 } },
        });
        await fleet.WaitReadyAsync(server, ids, NodeFleet.MethodsFilter);

        // The devices reconnect by themselves after the restart (the SDK's retry policy); the job waits for them.
        await PutJobAsync(http, "reboot-through-crash", new JsonObject
        {
            ["devices"] = Ids(ids),
            ["batch"] = new JsonObject { ["type"] = "number", ["value"] = 2 },
            ["data"] = new JsonArray(CommandData(Template, 0)),
            ["connectionTimeout"] = 120,
        });
        await Wait.UntilAsync(() => Task.FromResult(fleet.All("method").Count >= 3), JobTimeout, "the job is mid-way");
        await server.KillAsync();
        // No device can be called between the kill and the restart. Which devices were called before the kill is read
        // from the devices' own clock once the job is over: a call received just before the kill may reach this test
        // through the fleet's output only after the restart, so the events seen at this point may miss it.
        var restartedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await server.StartAsync();
        http = server.AdminHttp();

        var job = await WaitForStatusAsync(http, "reboot-through-crash", JobTimeout, "complete", "failed", "cancelled");
        var calledBeforeKill = fleet.All("method").Where(e => (long)e["t"]! < restartedAt).Select(e => (string)e["device"]!).ToHashSet();
        Assert.True(calledBeforeKill.Count < ids.Count, "the kill came after every device was called");
        Assert.Equal("complete", (string?)job["status"]);
        var devices = await DevicesAsync(http, "reboot-through-crash");
        Assert.All(ids, id => Assert.True(fleet.Of(id, "method").Count <= 1, $"{id} was called {fleet.Of(id, "method").Count} times"));
        var interrupted = new List<string>();
        foreach (var (id, status, reason) in devices)
        {
            var calls = fleet.Of(id, "method");
            // A device whose start was committed before the kill is failed as interrupted and never called again: its
            // call may have reached it before the kill, or not at all (the batch's rows move to running before its
            // devices are called). Every other device ran once, after the restart if not before, and completed.
            if (status == "failed" && reason?.Contains("interrupt", StringComparison.OrdinalIgnoreCase) == true)
            {
                interrupted.Add(id);
                Assert.True(calls.All(c => (long)c["t"]! < restartedAt), $"{id} was interrupted yet called after the restart");
            }
            else
            {
                Assert.True(status == "completed" && calls.Count == 1, $"{id}: {status} ({reason}), called {calls.Count} times");
            }
        }

        // At most the batch in flight at the kill (batches of two) can have been interrupted.
        Assert.InRange(interrupted.Count, 0, 2);
        Assert.All(calledBeforeKill.Except(interrupted), id => Assert.Contains(devices, d => d.Id == id && d.Status == "completed"));
        Assert.All(ids.Except(calledBeforeKill).Except(interrupted), id => Assert.Single(fleet.Of(id, "method")));
        var (total, pending, completed, failed) = Progress(job);
        Assert.Equal((8, 0), (total, pending));
        Assert.Equal(8, completed + failed);
        Assert.Equal(ids.Count - interrupted.Count, completed);
    }
}
