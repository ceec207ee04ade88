namespace Centrum.Edge.Buffering;

/// <summary>What became of a message handed to the store. Only <see cref="Stored"/> may be acknowledged to its sender.</summary>
public enum AppendOutcome
{
    /// <summary>Committed to disk: it survives a crash of the process and of the machine.</summary>
    Stored,

    /// <summary>Refused: the store holds its budget of bytes; nothing was written.</summary>
    Full,

    /// <summary>Refused: larger than a message may be; nothing was written.</summary>
    TooLarge,
}
