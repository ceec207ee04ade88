namespace Centrum.Export.Filters;

/// <summary>
/// A field as a filter's <c>WHERE</c> writes it, for validation against device templates. The split is syntactic:
/// <see cref="Name"/> is the last dot-separated segment and <see cref="Qualifier"/> everything before it (an alias, a
/// component, <c>alias.component</c>, or the leading segments of a path into an object value); which of these a
/// qualifier is depends on the templates, so the validator decides. <see cref="Name"/> starts with <c>$</c> for device
/// facts such as <c>$id</c>. <see cref="Position"/> is the 1-based character position of the field's first character.
/// </summary>
public sealed record FilterField(string? Qualifier, string Name, int Position, string Text);
