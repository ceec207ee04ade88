using System.Text;
using System.Text.RegularExpressions;

namespace Centrum.Export.Destinations.Nats;

/// <summary>
/// The <c>subject</c> of a <c>nats@v1</c> destination: a NATS subject with <c>{applicationId}</c>, <c>{exportId}</c>,
/// <c>{source}</c> and <c>{deviceId}</c> placeholders.
/// </summary>
/// <remarks>
/// A placeholder's value is percent-encoded where it would break the subject: <c>.</c> (a token separator), <c>*</c>
/// and <c>&gt;</c> (wildcards, refused on publish), whitespace and control characters, and <c>%</c> itself so the
/// encoding can be undone. IoT Hub device ids may contain <c>.</c>, <c>*</c> and <c>%</c>; the <c>centrum-device-id</c>
/// header carries the id unencoded.
/// </remarks>
internal sealed partial class NatsSubjectTemplate
{
    public const string Default = "centrum.{applicationId}.{source}";

    private const string DevicePlaceholder = "{deviceId}";

    private static readonly string[] Placeholders = ["{applicationId}", "{exportId}", "{source}", DevicePlaceholder];

    /// <summary>The template with the export's own placeholders already filled; only the device varies per message.</summary>
    private readonly string _bound;
    private readonly bool _perDevice;

    public NatsSubjectTemplate(string template, DestinationContext context)
    {
        _bound = template
            .Replace("{applicationId}", Escape(context.ApplicationId), StringComparison.Ordinal)
            .Replace("{exportId}", Escape(context.ExportId), StringComparison.Ordinal)
            .Replace("{source}", Escape(context.Source), StringComparison.Ordinal);
        _perDevice = _bound.Contains(DevicePlaceholder, StringComparison.Ordinal);
    }

    public string SubjectFor(string deviceId) => _perDevice ? _bound.Replace(DevicePlaceholder, Escape(deviceId), StringComparison.Ordinal) : _bound;

    /// <summary>Why <paramref name="template"/> cannot be a subject template, or null when it can.</summary>
    public static string? Check(string template)
    {
        foreach (Match match in Braced().Matches(template))
        {
            if (!Placeholders.Contains(match.Value, StringComparer.Ordinal))
            {
                return $"'subject' has an unknown placeholder {match.Value}; the placeholders are {string.Join(", ", Placeholders)}.";
            }
        }

        var sample = template;
        foreach (var placeholder in Placeholders)
        {
            sample = sample.Replace(placeholder, "x", StringComparison.Ordinal);
        }

        if (sample.AsSpan().IndexOfAny('{', '}') >= 0)
        {
            return "'subject' has an unmatched { or }.";
        }

        return IsPublishSubject(sample)
            ? null
            : "'subject' is not a valid NATS subject: tokens separated by single dots, no spaces, no wildcards (* or >).";
    }

    /// <summary>A subject a message can be published to: non-empty dot-separated tokens without whitespace or wildcards.</summary>
    public static bool IsPublishSubject(string subject)
    {
        if (subject.Length == 0)
        {
            return false;
        }

        foreach (var token in subject.Split('.'))
        {
            if (token.Length == 0 || token == "*" || token == ">" || token.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '*' or '>'))
            {
                return false;
            }
        }

        return true;
    }

    private static string Escape(string value)
    {
        if (!value.Any(MustEscape))
        {
            return value;
        }

        var escaped = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            if (MustEscape(c))
            {
                foreach (var b in Encoding.UTF8.GetBytes(c.ToString()))
                {
                    escaped.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
                }
            }
            else
            {
                escaped.Append(c);
            }
        }

        return escaped.ToString();
    }

    private static bool MustEscape(char c) => c is '.' or '*' or '>' or '%' || char.IsWhiteSpace(c) || char.IsControl(c);

    [GeneratedRegex(@"\{[^{}]*\}")]
    private static partial Regex Braced();
}
