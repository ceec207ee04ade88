using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Centrum.Storage;

/// <summary>Stores an instant with offset zero, as PostgreSQL's <c>timestamptz</c> and Npgsql require; the instant is unchanged.</summary>
internal sealed class UtcDateTimeOffsetConverter() : ValueConverter<DateTimeOffset, DateTimeOffset>(v => v.ToUniversalTime(), v => v);
