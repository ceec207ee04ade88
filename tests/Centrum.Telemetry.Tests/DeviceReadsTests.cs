using System.Text;
using System.Text.Json;
using Centrum.Storage;
using Centrum.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Centrum.Telemetry.Tests;

/// <summary>
/// The reads a device view makes: the values a device sent since the view last read (newest first when it fell behind)
/// and its recent messages with the fields its template does not declare.
/// </summary>
public sealed class DeviceReadsTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "centrum-telemetry-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_view_reads_only_its_device_after_what_it_has_read_and_skips_to_the_newest_when_behind()
    {
        await using var ingest = Open();
        for (var i = 1; i <= 10; i++)
        {
            await StoreAsync(ingest, Message("pump-1", $$"""{"temperature":{{i}},"label":"n{{i}}"}""", Start.AddSeconds(i)));
            await StoreAsync(ingest, Message("pump-2", $$"""{"temperature":{{100 + i}}}""", Start.AddSeconds(i)));
        }

        await StoreAsync(ingest, Message("pump-1", """{"temperature":99}""", Start.AddSeconds(11), application: "other"));
        var queries = new TelemetryQueries(ingest);

        var all = await queries.DeviceValuesAsync("app", "pump-1", 0, Start, 100, CancellationToken.None);
        Assert.Equal(20, all.Count);
        Assert.Equal(Enumerable.Range(1, 10), all.Where(v => v.Name == "temperature").Select(v => v.Value.GetInt32()));
        Assert.True(all.Zip(all.Skip(1)).All(p => p.First.Sequence <= p.Second.Sequence));
        Assert.All(all, v => Assert.True(v.Modeled == (v.Name == "temperature")));

        var afterSeventh = all.Where(v => v.Name == "temperature" && v.Value.GetInt32() == 7).Single().Sequence;
        var missed = await queries.DeviceValuesAsync("app", "pump-1", afterSeventh, Start, 100, CancellationToken.None);
        Assert.Equal([8, 9, 10], missed.Where(v => v.Name == "temperature").Select(v => v.Value.GetInt32()));

        var newest = await queries.DeviceValuesAsync("app", "pump-1", 0, Start, 4, CancellationToken.None);
        Assert.Equal([("label", "n9"), ("temperature", "9"), ("label", "n10"), ("temperature", "10")],
            newest.Select(v => (v.Name, v.Value.ValueKind == JsonValueKind.String ? v.Value.GetString() : v.Value.GetRawText())));

        var recent = await queries.DeviceValuesAsync("app", "pump-1", 0, Start.AddSeconds(9), 100, CancellationToken.None);
        Assert.Equal([9, 10], recent.Where(v => v.Name == "temperature").Select(v => v.Value.GetInt32()));
    }

    [Fact]
    public async Task Recent_messages_come_newest_first_with_the_fields_the_template_does_not_declare()
    {
        await using var ingest = Open();
        await StoreAsync(ingest, Message("pump-1", """{"temperature":1}""", Start.AddSeconds(1)));
        await StoreAsync(ingest, Message("pump-2", """{"other":1}""", Start.AddSeconds(2)));
        await StoreAsync(ingest, Message("pump-1", """{"temperature":2,"debug":"x","vendor":{"a":1}}""", Start.AddSeconds(3)));
        var queries = new TelemetryQueries(ingest);

        var messages = await queries.RecentMessagesAsync("app", "pump-1", 10, CancellationToken.None);
        Assert.Equal(["""{"temperature":2,"debug":"x","vendor":{"a":1}}""", """{"temperature":1}"""], messages.Select(m => Encoding.UTF8.GetString(m.Message.Body)));
        Assert.Equal([["debug", "vendor"], []], messages.Select(m => m.UnmodeledFields));
        Assert.Single(await queries.RecentMessagesAsync("app", "pump-1", 1, CancellationToken.None));
        Assert.Empty(await queries.RecentMessagesAsync("app", "pump-3", 10, CancellationToken.None));
    }

    /// <summary>The template of these tests declares one telemetry, <c>temperature</c>, a number.</summary>
    private sealed class TemperatureOnly : ITelemetryModel
    {
        public ValueTask<TelemetryDeclaration?> ForDeviceAsync(string applicationId, string deviceId, string? moduleId, CancellationToken cancellationToken) =>
            ValueTask.FromResult<TelemetryDeclaration?>((component, name, value) => component is null && name == "temperature" && value.ValueKind == JsonValueKind.Number);
    }

    private TelemetryIngest Open() => new(
        Options.Create(new StorageOptions { DataFolder = _folder }),
        Options.Create(new TelemetryOptions()),
        new TelemetryMetrics(new TestMeterFactory()),
        new Centrum.Events.DeviceEventBus(),
        NullLogger<TelemetryIngest>.Instance,
        new TemperatureOnly());

    private static TelemetryMessage Message(string device, string body, DateTimeOffset enqueued, string application = "app") => new()
    {
        ApplicationId = application,
        DeviceId = device,
        ContentType = "application/json",
        Body = Encoding.UTF8.GetBytes(body),
        EnqueuedTime = enqueued,
    };

    private static async Task StoreAsync(TelemetryIngest ingest, TelemetryMessage message) =>
        await (await ingest.SubmitAsync(message, waitForRoom: true, CancellationToken.None))!;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
