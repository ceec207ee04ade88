using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Centrum.Api.Infrastructure;

/// <summary>
/// Times as IoT Central writes them: UTC with <c>Z</c>, fractional seconds to 100 ns with trailing zeros left out
/// (IoT Central REST API 2022-07-31 examples: <c>2022-11-23T22:29:01Z</c> in ScheduledJobs_Get, <c>…40.227Z</c> in
/// ApiTokens_Get, <c>…44.84Z</c> in Modules_GetTelemetryValue, <c>…50.9718608Z</c> in Devices_GetProperties).
/// </summary>
internal sealed class IotCentralTime : JsonConverter<DateTimeOffset>
{
    private const string Format = "yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFF'Z'";

    public static string ToText(DateTimeOffset time) => time.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) => writer.WriteStringValue(ToText(value));
}
