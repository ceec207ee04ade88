namespace Centrum.Listing;

/// <summary>
/// A list option (<c>filter</c>, <c>orderby</c>, <c>expand</c>, or the skip token that continues an ordered list) that
/// cannot be evaluated: malformed, past a limit, or naming a field the list does not offer. <see cref="Parameter"/> is
/// the query parameter at fault, so the REST head can name it in IoT Central's 400 error.
/// </summary>
public sealed class ListQueryException(string parameter, string message) : Exception(message)
{
    public string Parameter { get; } = parameter;
}
