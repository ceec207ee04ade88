namespace Centrum.Export.Filters;

/// <summary>
/// An export filter that cannot be parsed. The message says what was expected, the 1-based character position in the
/// filter text (newlines count as one character) and the token found there.
/// </summary>
public sealed class ExportFilterException : Exception
{
    internal ExportFilterException(string reason, int position, string? token)
        : base(token is null
            ? $"{reason} (at character {position}, found the end of the filter)"
            : $"{reason} (at character {position}, found '{token}')")
    {
        Reason = reason;
        Position = position;
        Token = token;
    }

    /// <summary>What was expected or is wrong, without the position.</summary>
    public string Reason { get; }

    /// <summary>The 1-based character position of the offending token in the filter text.</summary>
    public int Position { get; }

    /// <summary>The offending token as written, or null when the filter ended where more was expected.</summary>
    public string? Token { get; }
}
