namespace Centrum.Export.Filters;

internal enum FilterTokenKind
{
    Word,
    TemplateId,
    Number,
    String,
    Symbol,
    End,
}

/// <summary>
/// A token of filter text. <see cref="Raw"/> is the text as written (quotes included); <see cref="Value"/> is a string
/// literal's content and equals <see cref="Raw"/> for every other kind. <see cref="Offset"/> is 0-based.
/// </summary>
internal readonly record struct FilterToken(FilterTokenKind Kind, string Raw, string Value, int Offset)
{
    public bool IsKeyword(string keyword) => Kind == FilterTokenKind.Word && Raw.Equals(keyword, StringComparison.OrdinalIgnoreCase);

    public bool IsSymbol(string symbol) => Kind == FilterTokenKind.Symbol && Raw == symbol;
}
