using System.Text;
using Centrum.Export.Destinations;

namespace Centrum.Export.Tests.Destinations.Infrastructure;

internal static class Batches
{
    public static readonly DateTimeOffset Start = new(2025, 3, 7, 14, 5, 9, TimeSpan.Zero);

    public static ExportedMessage Message(long sequence, string deviceId, string json) =>
        new(sequence, deviceId, Start.AddMilliseconds(sequence), Encoding.UTF8.GetBytes(json));

    /// <summary><paramref name="count"/> messages from sequence <paramref name="first"/>, round-robin over <paramref name="devices"/> devices.</summary>
    public static DeliveryBatch RoundRobin(long first, int count, int devices) =>
        new([.. Enumerable.Range(0, count).Select(i =>
        {
            var sequence = first + i;
            var device = $"device-{i % devices:D2}";
            var temperature = 20 + (i % 7);
            return Message(sequence, device, $$"""{"deviceId":"{{device}}","sequence":{{sequence}},"telemetry":{"temperature":{{temperature}} } }""");
        })]);

    public static DestinationContext Context(string? applicationId = null) =>
        new(applicationId ?? "app-" + Guid.NewGuid().ToString("N")[..8], "export-1", "destination-1", "telemetry");
}
