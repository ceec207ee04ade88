using System.Buffers;
using System.Diagnostics;
using System.Text;
using Centrum.IotHub.Mqtt;

namespace Centrum.Gateway.Tests;

/// <summary>
/// Inputs for fuzzing <see cref="MqttDecoder"/>, and the check each must pass. Shared by the suite's test (100,000
/// inputs) and the long run under bench/ (10 million or more), so both hold the decoder to the same rules.
/// </summary>
internal static class MqttFuzz
{
    /// <summary>The limits the gateway reads with: before CONNECT, and after it (IoT Hub's message size plus headers).</summary>
    private static readonly int[] PacketLimits = [16 * 1024, 256 * 1024 + 64 * 1024, 64];

    /// <summary>
    /// Per input: the decoder copies what it returns (strings as UTF-16, payloads as arrays), so it may allocate a
    /// small multiple of the input plus a constant for the packet objects, never more.
    /// </summary>
    public static long AllocationBudget(int inputLength) => 16L * inputLength + 16 * 1024;

    /// <summary>Per input, generous for a debug build on a loaded machine; a quadratic path on 64 KB inputs blows it.</summary>
    public static readonly TimeSpan TimeBudget = TimeSpan.FromMilliseconds(250);

    public static byte[] Next(Random random) => random.Next(10) switch
    {
        0 => RandomBytes(random, random.Next(0, 64)),
        1 => RandomBytes(random, random.Next(0, 4096)),
        2 => Concat(ValidPacket(random), ValidPacket(random), ValidPacket(random)),
        3 => ValidPacket(random),
        _ => Mutate(random, random.Next(3) == 0 ? Concat(ValidPacket(random), ValidPacket(random)) : ValidPacket(random)),
    };

    /// <summary>Decodes <paramref name="input"/> as a connection's read loop does, split at random points.</summary>
    /// <returns>null when every rule held, otherwise what broke.</returns>
    public static string? Check(byte[] input, Random random, out MqttDecodeStatus last, out int packets, out TimeSpan elapsed, out long allocated)
    {
        var limit = PacketLimits[random.Next(PacketLimits.Length)];
        var split = Split(input, random);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var started = Stopwatch.GetTimestamp();
        string? failure;
        packets = 0;
        try
        {
            failure = DecodeAll(input, split, limit, out last, ref packets);
        }
        catch (Exception ex)
        {
            last = MqttDecodeStatus.Malformed;
            failure = $"threw {ex.GetType().Name}: {ex.Message}";
        }

        elapsed = Stopwatch.GetElapsedTime(started);
        allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        // A garbage collection or a preempted thread on a busy machine can stall any input once; a slow path stalls
        // it every time. The same input is timed again, and the fastest run counts.
        for (var retry = 0; failure is null && elapsed > TimeBudget && retry < 3; retry++)
        {
            var again = Stopwatch.GetTimestamp();
            var ignored = 0;
            DecodeAll(input, split, limit, out _, ref ignored);
            var took = Stopwatch.GetElapsedTime(again);
            elapsed = took < elapsed ? took : elapsed;
        }

        // Both decodes (segmented and contiguous) count; the segments were built before measuring began.
        return failure
            ?? (allocated > 2 * AllocationBudget(input.Length) ? $"allocated {allocated} bytes for {input.Length} bytes of input" : null)
            ?? (elapsed > TimeBudget ? $"took {elapsed.TotalMilliseconds} ms for {input.Length} bytes of input" : null);
    }

    /// <summary>The same packets and the same final status whether the bytes come in one segment or many.</summary>
    private static string? DecodeAll(byte[] input, ReadOnlySequence<byte> split, int limit, out MqttDecodeStatus last, ref int packets)
    {
        var whole = new ReadOnlySequence<byte>(input);
        while (true)
        {
            var splitLength = split.Length;
            var wholeLength = whole.Length;
            var a = MqttDecoder.TryRead(ref split, limit, out var fromSplit);
            var b = MqttDecoder.TryRead(ref whole, limit, out var fromWhole);
            last = a;
            if (a != b)
            {
                return $"segmented input decoded as {a}, contiguous as {b}";
            }

            if (!Enum.IsDefined(a))
            {
                return $"unknown status {a}";
            }

            if (a != MqttDecodeStatus.Packet)
            {
                if (split.Length != splitLength || whole.Length != wholeLength)
                {
                    return $"{a} consumed input";
                }

                return fromSplit is not null || fromWhole is not null ? $"{a} returned a packet" : null;
            }

            if (fromSplit is null || fromWhole is null || !Same(fromSplit, fromWhole))
            {
                return "segmented and contiguous input gave different packets";
            }

            if (split.Length >= splitLength || split.Length != whole.Length)
            {
                return "a packet consumed no input, or not the same input in both forms";
            }

            if (++packets > input.Length)
            {
                return "more packets than bytes";
            }
        }
    }

    private static bool Same(MqttPacket a, MqttPacket b) => (a, b) switch
    {
        (PublishPacket x, PublishPacket y) => x.Topic == y.Topic && x.Qos == y.Qos && x.PacketId == y.PacketId && x.Payload.AsSpan().SequenceEqual(y.Payload),
        (ConnectPacket x, ConnectPacket y) => x with { WillMessage = null } == y with { WillMessage = null }
                                              && (x.WillMessage ?? []).AsSpan().SequenceEqual(y.WillMessage ?? []),
        (SubscribePacket x, SubscribePacket y) => x.PacketId == y.PacketId && x.Filters.SequenceEqual(y.Filters),
        (UnsubscribePacket x, UnsubscribePacket y) => x.PacketId == y.PacketId && x.Filters.SequenceEqual(y.Filters),
        _ => a == b,
    };

    /// <summary>A well-formed packet of any type a client may send, and some it may not (server-only, QoS 2).</summary>
    public static byte[] ValidPacket(Random random)
    {
        switch (random.Next(12))
        {
            case 0:
            case 1:
                return Connect(random);
            case 2:
            case 3:
            {
                var qos = random.Next(10) == 0 ? 2 : random.Next(2);
                var body = new List<byte>();
                AddString(body, Topic(random));
                if (qos > 0)
                {
                    AddId(body, random);
                }

                body.AddRange(RandomBytes(random, random.Next(0, random.Next(10) == 0 ? 70_000 : 300)));
                return Frame((byte)(0x30 | qos << 1 | random.Next(2) << 3 | random.Next(2)), body);
            }

            case 4:
            {
                var body = new List<byte>();
                AddId(body, random);
                for (var i = random.Next(1, 6); i > 0; i--)
                {
                    AddString(body, random.Next(2) == 0 ? "$iothub/methods/POST/#" : Topic(random));
                    body.Add((byte)random.Next(3));
                }

                return Frame(0x82, body);
            }

            case 5:
            {
                var body = new List<byte>();
                AddId(body, random);
                for (var i = random.Next(1, 4); i > 0; i--)
                {
                    AddString(body, Topic(random));
                }

                return Frame(0xA2, body);
            }

            case 6:
            {
                var body = new List<byte>();
                AddId(body, random);
                return Frame(0x40, body);
            }

            case 7:
                return [0xC0, 0];
            case 8:
                return [0xE0, 0];
            case 9:
            {
                // QoS 2 flow: PUBREC, PUBREL, PUBCOMP.
                var body = new List<byte>();
                AddId(body, random);
                return Frame(random.Next(3) switch { 0 => 0x50, 1 => 0x62, _ => 0x70 }, body);
            }

            default:
            {
                // Server-to-client types (CONNACK, SUBACK, UNSUBACK, PINGRESP) and the reserved 0 and 15.
                var header = (byte)(new[] { 0x20, 0x90, 0xB0, 0xD0, 0x00, 0xF0 }[random.Next(6)]);
                return Frame(header, [.. RandomBytes(random, random.Next(0, 5))]);
            }
        }
    }

    private static byte[] Connect(Random random)
    {
        var body = new List<byte>();
        AddString(body, random.Next(20) == 0 ? "MQIsdp" : "MQTT");
        body.Add((byte)(random.Next(20) == 0 ? 3 : 4));
        var will = random.Next(4) == 0;
        var user = random.Next(5) != 0;
        var password = user && random.Next(4) != 0;
        var flags = (byte)((user ? 0x80 : 0) | (password ? 0x40 : 0) | (will ? 0x04 | random.Next(3) << 3 | random.Next(2) << 5 : 0) | random.Next(2) << 1);
        body.Add(flags);
        body.Add((byte)random.Next(256));
        body.Add((byte)random.Next(256));
        AddString(body, "device-" + random.Next(1000));
        if (will)
        {
            AddString(body, "devices/device-1/messages/events/");
            var message = RandomBytes(random, random.Next(0, 100));
            body.Add((byte)(message.Length >> 8));
            body.Add((byte)message.Length);
            body.AddRange(message);
        }

        if (user)
        {
            AddString(body, "hub.example/device-1/?api-version=2021-04-12");
        }

        if (password)
        {
            AddString(body, "SharedAccessSignature sr=hub.example%2Fdevices%2Fdevice-1&sig=abc%3D&se=1700000000");
        }

        return Frame(0x10, body);
    }

    private static string Topic(Random random) => random.Next(6) switch
    {
        0 => "devices/device-1/messages/events/$.ct=application%2Fjson&$.ce=utf-8",
        1 => "$iothub/twin/GET/?$rid=" + random.Next(),
        2 => "$iothub/twin/PATCH/properties/reported/?$rid=1&$version=3",
        3 => "$iothub/methods/res/200/?$rid=" + random.Next(),
        4 => "$dps/registrations/PUT/iotdps-register/?$rid=1",
        _ => new string((char)random.Next('a', 'z' + 1), random.Next(1, 200)),
    };

    private static byte[] Mutate(Random random, byte[] input)
    {
        var bytes = new List<byte>(input);
        for (var n = random.Next(1, 5); n > 0; n--)
        {
            var at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(9))
            {
                case 0 when bytes.Count > 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when bytes.Count > 0:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 2:
                    bytes.InsertRange(at, RandomBytes(random, random.Next(1, 8)));
                    break;
                case 3 when bytes.Count > 0:
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, random.Next(1, 8)));
                    break;
                case 4 when bytes.Count > 0:
                    bytes.RemoveRange(at, bytes.Count - at); // truncated
                    break;
                case 5 when bytes.Count > 2:
                    // A remaining length that promises too much or too little, in up to five bytes.
                    bytes.RemoveAt(1);
                    bytes.InsertRange(1, RandomBytes(random, random.Next(1, 6)).Select((b, i) => i < 4 ? (byte)(b | 0x80) : b));
                    break;
                case 6 when bytes.Count > 4:
                    // A string length prefix pointing past the end.
                    bytes[Math.Min(at, bytes.Count - 2)] = 0xFF;
                    break;
                case 7:
                    // Invalid UTF-8 and U+0000 inside strings.
                    bytes.InsertRange(at, random.Next(3) switch { 0 => [0xC3, 0x28], 1 => [0x00], _ => [0xED, 0xA0, 0x80] });
                    break;
                default:
                    if (bytes.Count > 0)
                    {
                        bytes.AddRange(bytes.GetRange(at, Math.Min(bytes.Count - at, 64)));
                    }

                    break;
            }
        }

        return [.. bytes];
    }

    /// <summary>The input as a sequence of segments cut at random points, some empty, as a pipe may hand it over.</summary>
    public static ReadOnlySequence<byte> Split(byte[] input, Random random)
    {
        if (input.Length == 0 || random.Next(4) == 0)
        {
            return new ReadOnlySequence<byte>(input);
        }

        var cuts = Enumerable.Range(0, random.Next(1, 8)).Select(_ => random.Next(input.Length + 1)).Append(0).Append(input.Length).Order().ToArray();
        Segment? first = null, last = null;
        for (var i = 0; i + 1 < cuts.Length; i++)
        {
            var memory = new ReadOnlyMemory<byte>(input, cuts[i], cuts[i + 1] - cuts[i]);
            if (first is null)
            {
                first = last = new Segment(memory, 0);
            }
            else
            {
                last = last!.Append(memory);
            }
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private static byte[] Frame(byte header, List<byte> body)
    {
        var frame = new List<byte>(body.Count + 5) { header };
        var length = body.Count;
        do
        {
            var digit = (byte)(length % 128);
            length /= 128;
            frame.Add(length > 0 ? (byte)(digit | 0x80) : digit);
        }
        while (length > 0);
        frame.AddRange(body);
        return [.. frame];
    }

    private static void AddString(List<byte> to, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        to.Add((byte)(bytes.Length >> 8));
        to.Add((byte)bytes.Length);
        to.AddRange(bytes);
    }

    private static void AddId(List<byte> to, Random random)
    {
        var id = random.Next(20) == 0 ? 0 : random.Next(1, 65536);
        to.Add((byte)(id >> 8));
        to.Add((byte)id);
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
