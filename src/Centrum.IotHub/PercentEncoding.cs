namespace Centrum.IotHub;

internal static class PercentEncoding
{
    /// <summary>
    /// RFC 3986 percent-decoding only: <c>+</c> stays <c>+</c> (it is base64 in signatures and literal in bags).
    /// Malformed escapes leave the text as it was (as the Azure IoT C SDK's urldecode in azure-c-shared-utility does).
    /// </summary>
    public static string Decode(string value) => value.Contains('%', StringComparison.Ordinal) ? Unescape(value) : value;

    /// <summary>As <see cref="Decode(string)"/>, from a slice of a topic: one string, the decoded one.</summary>
    public static string Decode(ReadOnlySpan<char> value) => value.Contains('%') ? Unescape(value) : value.ToString();

    private static string Unescape(ReadOnlySpan<char> value)
    {
        try
        {
            return Uri.UnescapeDataString(value);
        }
        catch (UriFormatException)
        {
            return value.ToString();
        }
    }
}
