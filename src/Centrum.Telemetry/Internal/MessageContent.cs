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
    public static UInt128 Hash(ReadOnlySpan<byte> body, string? propertiesJson, string? moduleId, string? component, DateTime? creationTime)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> number = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(number, body.Length);
        hash.AppendData(number);
        hash.AppendData(body);
        foreach (var text in new[] { propertiesJson, moduleId, component })
        {
            var bytes = text is null ? [] : Encoding.UTF8.GetBytes(text);
            BinaryPrimitives.WriteInt64LittleEndian(number, text is null ? -1 : bytes.Length);
            hash.AppendData(number);
            hash.AppendData(bytes);
        }

        // DuckDB's TIMESTAMP keeps microseconds.
        var ticks = creationTime is { } t ? t.ToUniversalTime().Ticks : -1;
        BinaryPrimitives.WriteInt64LittleEndian(number, ticks < 0 ? -1 : ticks - (ticks % 10));
        hash.AppendData(number);
        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        return BinaryPrimitives.ReadUInt128LittleEndian(digest);
    }
}
