using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Centrum.Telemetry.Internal;

/// <summary>
/// What a re-sent message repeats exactly: its body, application properties, module, component and creation time.
/// Computed from the stored row after a restart, so it uses only what the store keeps, at the store's precision.
/// </summary>
internal static class MessageContent
{
    private const int StackLimit = 1024;

    /// <summary>
    /// SHA-256 over one buffer laid out as length-prefixed fields (a length of -1 for a missing text), hashed at once
    /// from the stack or a pooled array: an incremental hash object and an array per text cost about 180 bytes a
    /// message (bench/micro.sh, TelemetryAppendBenchmarks).
    /// </summary>
    public static UInt128 Hash(ReadOnlySpan<byte> body, string? propertiesJson, string? moduleId, string? component, DateTime? creationTime)
    {
        var length = 8 + body.Length + Measure(propertiesJson) + Measure(moduleId) + Measure(component) + 8;
        var rented = length > StackLimit ? ArrayPool<byte>.Shared.Rent(length) : null;
        var buffer = rented is null ? stackalloc byte[StackLimit] : rented.AsSpan();
        try
        {
            BinaryPrimitives.WriteInt64LittleEndian(buffer, body.Length);
            body.CopyTo(buffer[8..]);
            var offset = 8 + body.Length;
            offset += Write(buffer[offset..], propertiesJson);
            offset += Write(buffer[offset..], moduleId);
            offset += Write(buffer[offset..], component);

            // DuckDB's TIMESTAMP keeps microseconds.
            var ticks = creationTime is { } t ? t.ToUniversalTime().Ticks : -1;
            BinaryPrimitives.WriteInt64LittleEndian(buffer[offset..], ticks < 0 ? -1 : ticks - (ticks % 10));
            Span<byte> digest = stackalloc byte[32];
            SHA256.HashData(buffer[..(offset + 8)], digest);
            return BinaryPrimitives.ReadUInt128LittleEndian(digest);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static int Measure(string? text) => 8 + (text is null ? 0 : Encoding.UTF8.GetByteCount(text));

    private static int Write(Span<byte> buffer, string? text)
    {
        var length = text is null ? 0 : Encoding.UTF8.GetBytes(text, buffer[8..]);
        BinaryPrimitives.WriteInt64LittleEndian(buffer, text is null ? -1 : length);
        return 8 + length;
    }
}
