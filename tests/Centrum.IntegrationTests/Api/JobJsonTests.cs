using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Centrum.Api.Infrastructure;
using Centrum.Api.Jobs;
using Centrum.Jobs;

namespace Centrum.IntegrationTests.Api;

/// <summary>
/// The job body reader (<see cref="JobJson.TryRead"/>), the parser of outside input behind PUT /jobs: what it
/// refuses and with which message, how it treats null, Centrum's extensions, and a fuzz run over mutated bodies in
/// which nothing throws and every refusal has a message.
/// </summary>
public sealed class JobJsonTests
{
    private const string Full = """
        {"id":"job-1","displayName":"Fans","description":"Raise the fan speed","group":"fans",
         "batch":{"type":"number","value":20},"cancellationThreshold":{"type":"percentage","value":10,"batch":true},
         "data":[{"type":"property","target":"dtmi:com:example:Fan;1","path":"settings.fanSpeed","value":{"level":3}}],
         "organizations":["north"],"connectionTimeout":120,"queueIfOffline":true,
         "rollout":{"devicesPerMinute":10,"incrementFactor":2,"successesPerIncrement":5,"maximumPerMinute":100},
         "abort":{"failureRate":25,"minimumDevices":8}}
        """;

    [Fact]
    public void A_full_body_is_read_with_every_extension_and_written_back_alike()
    {
        Assert.True(Read(Full, out var definition, out var error), error);
        Assert.Equal(("Fans", "Raise the fan speed", "fans"), (definition.DisplayName, definition.Description, definition.Group));
        Assert.Null(definition.Devices);
        Assert.Equal(new JobBatch(JobAmountKind.Number, 20), definition.Batch);
        Assert.Equal(new JobCancellationThreshold(JobAmountKind.Percentage, 10, PerBatch: true), definition.CancellationThreshold);
        var entry = Assert.Single(definition.Data);
        Assert.Equal((JobDataKind.Property, "dtmi:com:example:Fan;1", "settings.fanSpeed"), (entry.Kind, entry.Target, entry.Path));
        Assert.Equal("""{"level":3}""", entry.Value!.ToJsonString());
        Assert.Equal(["north"], definition.Organizations!);
        Assert.Equal(TimeSpan.FromSeconds(120), definition.ConnectionTimeout);
        Assert.True(definition.QueueIfOffline);
        Assert.Equal(new JobRollout(10, 2, 5, 100), definition.Rollout);
        Assert.Equal(new JobAbort(25, 8), definition.Abort);

        var written = new JsonObject { ["id"] = "job-1" };
        JobJson.Write(written, definition);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Full), written), written.ToJsonString());
    }

    [Fact]
    public void Explicit_devices_migrations_and_commands_are_read()
    {
        Assert.True(Read("""{"devices":["a","b"],"data":[{"type":"deviceTemplateMigration","template":"dtmi:com:example:Fan;2"}]}""", out var migration, out var error), error);
        Assert.Equal(["a", "b"], migration.Devices!);
        Assert.Equal(new JobData(JobDataKind.DeviceTemplateMigration, Template: "dtmi:com:example:Fan;2"), migration.Data[0]);
        Assert.True(Read("""{"group":"g","data":[{"type":"deviceManifestMigration","manifest":"m1"}]}""", out var manifest, out error), error);
        Assert.Equal("m1", manifest.Data[0].Manifest);
        Assert.True(Read("""{"group":"g","data":[{"type":"command","target":"dtmi:com:example:Fan;1","path":"reboot","value":{"delay":5}}]}""", out var command, out error), error);
        Assert.Equal(JobDataKind.Command, command.Data[0].Kind);
        Assert.True(Read("""{"group":"g","data":[{"type":"cloudProperty","target":"dtmi:com:example:Fan;1","path":"site","value":"north"}]}""", out var cloud, out error), error);
        Assert.Equal(JobDataKind.CloudProperty, cloud.Data[0].Kind);
    }

    [Fact]
    public void Null_means_absent_for_optional_fields_and_is_refused_where_a_value_is_required()
    {
        Assert.True(Read("""
            {"id":null,"displayName":null,"description":null,"group":"g","devices":null,"batch":null,"cancellationThreshold":null,
             "organizations":null,"connectionTimeout":null,"queueIfOffline":null,"rollout":null,"abort":null,
             "data":[{"type":"command","target":"t","path":"reboot","value":null}]}
            """, out var definition, out var error), error);
        Assert.Equal(new JobDefinition(null, null, "g", null, definition.Data), definition);
        // A command's null request is no request (IoT Central's own scheduled-job example sends one).
        Assert.Null(definition.Data[0].Value);

        AssertRefused("""{"group":"g","data":null}""", "'data'");
        AssertRefused("""{"group":"g","data":[null]}""", "data[0]");
        AssertRefused("""{"group":"g","data":[{"type":null}]}""", "data[0].type");
        AssertRefused("""{"group":"g","batch":{"type":null,"value":1},"data":[]}""", "batch.type");
        AssertRefused("""{"group":"g","batch":{"type":"number","value":null},"data":[]}""", "batch.value");
        AssertRefused("""{"group":"g","rollout":{"devicesPerMinute":null},"data":[]}""", "rollout.devicesPerMinute");
        AssertRefused("""{"group":"g","abort":{"failureRate":null,"minimumDevices":1},"data":[]}""", "abort.failureRate");
    }

    [Theory]
    [InlineData("""{"group":"g","colour":"red","data":[]}""", "'colour'")]
    [InlineData("""{"group":"g","data":[{"type":"property","target":"t","path":"p","value":1,"colour":"red"}]}""", "'colour'")]
    [InlineData("""{"group":"g","data":[{"type":"property","template":"t"}]}""", "'template'")]
    [InlineData("""{"group":"g","data":[{"type":"deviceTemplateMigration","target":"t"}]}""", "'target'")]
    [InlineData("""{"group":"g","batch":{"type":"number","value":1,"batch":true},"data":[]}""", "'batch' in batch")]
    [InlineData("""{"group":"g","rollout":{"devicesPerMinute":1,"speed":2},"data":[]}""", "'speed' in rollout")]
    [InlineData("""{"group":"g","abort":{"failureRate":1,"minimumDevices":1,"after":2},"data":[]}""", "'after' in abort")]
    [InlineData("""{"group":"g","cancellationThreshold":{"type":"number","value":1,"scope":"job"},"data":[]}""", "'scope' in cancellationThreshold")]
    public void Unknown_fields_are_refused_by_name(string body, string mentions) => AssertRefused(body, mentions);

    [Theory]
    [InlineData("""[]""", "JSON object")]
    [InlineData("""{"group":"g"}""", "'data' is required")]
    [InlineData("""{"displayName":5,"data":[]}""", "'displayName'")]
    [InlineData("""{"description":[],"data":[]}""", "'description'")]
    [InlineData("""{"group":7,"data":[]}""", "'group'")]
    [InlineData("""{"devices":"a","data":[]}""", "'devices'")]
    [InlineData("""{"devices":["a",1],"data":[]}""", "'devices'")]
    [InlineData("""{"organizations":[null],"data":[]}""", "'organizations'")]
    [InlineData("""{"data":{}}""", "'data'")]
    [InlineData("""{"data":["property"]}""", "data[0] must be an object")]
    [InlineData("""{"data":[{"type":"firmware"}]}""", "data[0].type")]
    [InlineData("""{"data":[{"type":"property","target":5}]}""", "data[0].target")]
    [InlineData("""{"data":[{"type":"property","path":true}]}""", "data[0].path")]
    [InlineData("""{"data":[{"type":"deviceTemplateMigration","template":1}]}""", "data[0].template")]
    [InlineData("""{"data":[{"type":"deviceManifestMigration","manifest":{}}]}""", "data[0].manifest")]
    [InlineData("""{"batch":20,"data":[]}""", "'batch'")]
    [InlineData("""{"batch":{"type":"all","value":20},"data":[]}""", "batch.type")]
    [InlineData("""{"batch":{"type":"number","value":"20"},"data":[]}""", "batch.value")]
    [InlineData("""{"batch":{"type":"number"},"data":[]}""", "batch needs both")]
    [InlineData("""{"cancellationThreshold":{"type":"number","value":1,"batch":"yes"},"data":[]}""", "cancellationThreshold.batch")]
    [InlineData("""{"connectionTimeout":"60","data":[]}""", "'connectionTimeout'")]
    [InlineData("""{"connectionTimeout":-1,"data":[]}""", "'connectionTimeout'")]
    [InlineData("""{"connectionTimeout":1.5,"data":[]}""", "'connectionTimeout'")]
    [InlineData("""{"connectionTimeout":1e20,"data":[]}""", "'connectionTimeout'")]
    [InlineData("""{"queueIfOffline":"yes","data":[]}""", "'queueIfOffline'")]
    [InlineData("""{"queueIfOffline":1,"data":[]}""", "'queueIfOffline'")]
    [InlineData("""{"rollout":10,"data":[]}""", "'rollout'")]
    [InlineData("""{"rollout":{},"data":[]}""", "rollout.devicesPerMinute is required")]
    [InlineData("""{"rollout":{"devicesPerMinute":1.5},"data":[]}""", "rollout.devicesPerMinute")]
    [InlineData("""{"rollout":{"devicesPerMinute":1,"incrementFactor":"2"},"data":[]}""", "rollout.incrementFactor")]
    [InlineData("""{"rollout":{"devicesPerMinute":1,"successesPerIncrement":0.5},"data":[]}""", "rollout.successesPerIncrement")]
    [InlineData("""{"rollout":{"devicesPerMinute":1,"maximumPerMinute":"x"},"data":[]}""", "rollout.maximumPerMinute")]
    [InlineData("""{"abort":[],"data":[]}""", "'abort'")]
    [InlineData("""{"abort":{"failureRate":10},"data":[]}""", "abort needs both")]
    [InlineData("""{"abort":{"failureRate":"10%","minimumDevices":1},"data":[]}""", "abort.failureRate")]
    [InlineData("""{"abort":{"failureRate":10,"minimumDevices":2.5},"data":[]}""", "abort.minimumDevices")]
    [InlineData("""{"id":"another","data":[]}""", "'id'")]
    [InlineData("""{"id":5,"data":[]}""", "'id'")]
    public void Wrong_types_and_shapes_are_refused_naming_the_field(string body, string mentions) => AssertRefused(body, mentions);

    [Fact]
    public void Read_only_members_of_an_answer_sent_back_are_ignored_and_a_caller_may_read_its_own_fields()
    {
        Assert.True(Read("""
            {"id":"job-1","group":"g","data":[{"type":"command","target":"t","path":"reboot"}],"status":"running",
             "progress":{"total":1},"start":"2024-01-01T00:00:00Z","end":null,"scheduledJobId":"s","rerunOf":"r","statusReason":"x"}
            """, out _, out var error), error);
        var body = JsonNode.Parse("""{"group":"g","schedule":{"start":"2024-01-01T00:00:00Z"},"enabled":true,"data":[{"type":"command","target":"t","path":"reboot"}]}""");
        Assert.True(JobJson.TryRead(body, "job-1", new HashSet<string> { "schedule", "enabled" }, out _, out error), error);
        Assert.False(JobJson.TryRead(body, "job-1", handled: null, out _, out error));
        Assert.Contains("'schedule'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void More_data_entries_than_a_job_holds_are_refused_before_they_are_read()
    {
        var data = new JsonArray([.. Enumerable.Range(0, JobLimits.MaxDataEntries + 1).Select(_ => (JsonNode)new JsonObject { ["type"] = "command", ["target"] = "t", ["path"] = "reboot" })]);
        AssertRefused(new JsonObject { ["group"] = "g", ["data"] = data }.ToJsonString(), $"1 to {JobLimits.MaxDataEntries} entries");
    }

    /// <summary>
    /// Mutated job bodies (and the JSON they parse to, when they parse, with the REST reader's depth limit): the reader
    /// never throws, and every refusal carries a message. JsonException is the body reader's refusal of text that is
    /// not JSON, before the job reader sees it.
    /// </summary>
    [Fact]
    public void Fuzzed_bodies_never_throw_and_every_refusal_has_a_message()
    {
        string[] seeds =
        [
            Full,
            """{"devices":["a","b"],"data":[{"type":"deviceTemplateMigration","template":"dtmi:com:example:Fan;2"}]}""",
            """{"group":"g","data":[{"type":"command","target":"t","path":"c.reboot","value":null}],"cancellationThreshold":{"type":"number","value":1}}""",
            """{"id":"job-1","group":"g","data":[{"type":"cloudProperty","target":"t","path":"site","value":[1,{"a":null}]}],"status":"stopped"}""",
        ];
        string[] tokens = ["{", "}", "[", "]", ",", ":", "null", "true", "false", "-1", "1e309", "0.5", "\"\"", "\"type\"", "\"value\"", "\"data\"", "\"rollout\"",
            "\"abort\"", "\"batch\"", "\"devices\"", "\"connectionTimeout\"", "\"property\"", "\"percentage\"", "\"number\"", "\\u0000", "\"id\""];
        var accepted = 0;
        var refused = 0;
        Fuzz.Run<JsonException>(20_000, seed: 1313, random => Fuzz.Mutate(random, Fuzz.Pick(random, seeds), tokens, seeds), text =>
        {
            // As bytes, as a request body arrives (a lone surrogate of the generated text becomes U+FFFD).
            var node = JsonNode.Parse(Encoding.UTF8.GetBytes(text), documentOptions: JsonBody.DocumentOptions);
            if (JobJson.TryRead(node, "job-1", handled: null, out var definition, out var error))
            {
                Assert.NotNull(definition.Data);
                // What was accepted writes back without throwing, as an answer would.
                var written = new JsonObject();
                JobJson.Write(written, definition);
                accepted++;
            }
            else
            {
                Assert.False(string.IsNullOrWhiteSpace(error), $"refused without a message: {text}");
                refused++;
            }
        });

        // Both outcomes were exercised, so the run is not all parse errors.
        Assert.True(accepted > 100 && refused > 100, $"accepted {accepted}, refused {refused}");
    }

    private static bool Read(string json, out JobDefinition definition, out string? error) =>
        JobJson.TryRead(JsonNode.Parse(json, documentOptions: JsonBody.DocumentOptions), "job-1", handled: null, out definition, out error);

    private static void AssertRefused(string json, string mentions)
    {
        Assert.False(Read(json, out _, out var error), $"accepted: {json}");
        Assert.False(string.IsNullOrWhiteSpace(error));
        Assert.True(error!.Contains(mentions, StringComparison.Ordinal), $"'{error}' does not mention {mentions}");
    }
}
