namespace Centrum.IntegrationTests.Observability;

/// <summary>
/// The spans of an OTLP/HTTP protobuf trace export, read with the protobuf wire format alone: the test needs four
/// fields of one message, not the generated OTLP classes. Field numbers are those of
/// <c>opentelemetry/proto/collector/trace/v1/trace_service.proto</c> and <c>opentelemetry/proto/trace/v1/trace.proto</c>
/// (ExportTraceServiceRequest.resource_spans = 1, ResourceSpans.scope_spans = 2, ScopeSpans.spans = 2, Span.trace_id = 1,
/// span_id = 2, parent_span_id = 4, name = 5); the wire format is protobuf's "Encoding" documentation.
/// </summary>
internal static class OtlpSpans
{
    internal sealed record Span(string TraceId, string SpanId, string ParentSpanId, string Name);

    public static IReadOnlyList<Span> Read(byte[] request)
    {
        var spans = new List<Span>();
        foreach (var resourceSpans in Fields(request, 1))
        {
            foreach (var scopeSpans in Fields(resourceSpans, 2))
            {
                foreach (var span in Fields(scopeSpans, 2))
                {
                    spans.Add(new Span(
                        Convert.ToHexStringLower(Fields(span, 1).FirstOrDefault() ?? []),
                        Convert.ToHexStringLower(Fields(span, 2).FirstOrDefault() ?? []),
                        Convert.ToHexStringLower(Fields(span, 4).FirstOrDefault() ?? []),
                        System.Text.Encoding.UTF8.GetString(Fields(span, 5).FirstOrDefault() ?? [])));
                }
            }
        }

        return spans;
    }

    /// <summary>The length-delimited values of one field of a message, skipping every other field by its wire type.</summary>
    private static List<byte[]> Fields(byte[] message, int field)
    {
        var values = new List<byte[]>();
        var at = 0;
        while (at < message.Length)
        {
            var key = Varint(message, ref at);
            var wireType = (int)(key & 7);
            switch (wireType)
            {
                case 0:
                    Varint(message, ref at);
                    break;
                case 1:
                    at += 8;
                    break;
                case 2:
                    var length = (int)Varint(message, ref at);
                    if ((int)(key >> 3) == field)
                    {
                        values.Add(message[at..(at + length)]);
                    }

                    at += length;
                    break;
                case 5:
                    at += 4;
                    break;
                default:
                    throw new FormatException($"Wire type {wireType} at byte {at} is not one protobuf defines.");
            }
        }

        return values;
    }

    private static ulong Varint(byte[] message, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = message[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new FormatException("A varint longer than ten bytes.");
    }
}
