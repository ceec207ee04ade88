namespace Centrum.Groups.Filtering;

/// <summary>A device group's query that cannot be used: malformed, past a limit, or using a construct Centrum does not support, which the message names.</summary>
public sealed class GroupQueryException(string message) : Exception(message);
