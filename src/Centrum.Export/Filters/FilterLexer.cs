using System.Text;

namespace Centrum.Export.Filters;

/// <summary>
/// Splits filter text into tokens on demand. The parser asks for <see cref="NextTemplateId"/> where a <c>FROM</c> item
/// is due, because template ids (<c>dtmi:contoso:Thermostat;1</c>, or Centrum's own ids such as <c>thermostat-v2</c>)
/// contain characters that mean something else in a condition.
/// </summary>
internal sealed class FilterLexer(string text)
{
    /// <summary>The longest excerpt an error quotes of an unclosed string or of text past the length limit.</summary>
    private const int ExcerptLength = 24;

    private int _offset;

    public FilterToken Next()
    {
        SkipWhitespace();
        if (_offset >= text.Length)
        {
            return new FilterToken(FilterTokenKind.End, "", "", text.Length);
        }

        var start = _offset;
        var c = text[start];
        if (c is '\'' or '"')
        {
            return String(c);
        }

        if (char.IsAsciiDigit(c) || (c == '-' && start + 1 < text.Length && char.IsAsciiDigit(text[start + 1])))
        {
            return Number();
        }

        if (char.IsAsciiLetter(c) || c is '_' or '$')
        {
            // Dots stay inside the word: the parser splits alias.component.name itself, so that a filter cannot
            // write "a . b" and errors can point at the empty segment of "a..b". '$' continues a word only where a
            // segment starts, so "WHERE$id" is two words.
            _offset++;
            while (_offset < text.Length
                && (char.IsAsciiLetterOrDigit(text[_offset]) || text[_offset] is '_' or '.' || (text[_offset] == '$' && text[_offset - 1] == '.')))
            {
                _offset++;
            }

            return Token(FilterTokenKind.Word, start);
        }

        if (start + 1 < text.Length && text.AsSpan(start, 2) is "==" or "!=" or "<>" or "<=" or ">=")
        {
            _offset += 2;
            return Token(FilterTokenKind.Symbol, start);
        }

        if (c is '=' or '<' or '>' or '(' or ')' or '[' or ']' or ',' or '*')
        {
            _offset++;
            return Token(FilterTokenKind.Symbol, start);
        }

        throw new ExportFilterException($"Unexpected character '{c}'", start + 1, c.ToString());
    }

    /// <summary>A run of template id characters; anything else is lexed as usual so the parser can name it.</summary>
    public FilterToken NextTemplateId()
    {
        SkipWhitespace();
        var start = _offset;
        while (_offset < text.Length && (char.IsAsciiLetterOrDigit(text[_offset]) || text[_offset] is '-' or '_' or '.' or ':' or ';'))
        {
            _offset++;
        }

        return _offset > start ? Token(FilterTokenKind.TemplateId, start) : Next();
    }

    public static string Excerpt(string text, int offset) =>
        text.Length - offset <= ExcerptLength ? text[offset..] : string.Concat(text.AsSpan(offset, ExcerptLength), "…");

    private FilterToken String(char quote)
    {
        var start = _offset++;
        var value = new StringBuilder();
        while (true)
        {
            if (_offset >= text.Length)
            {
                throw new ExportFilterException($"Unclosed string: expected a closing {quote} (a doubled {quote} stands for one)", start + 1, Excerpt(text, start));
            }

            var c = text[_offset++];
            if (c != quote)
            {
                value.Append(c);
            }
            else if (_offset < text.Length && text[_offset] == quote)
            {
                value.Append(quote);
                _offset++;
            }
            else
            {
                return new FilterToken(FilterTokenKind.String, text[start.._offset], value.ToString(), start);
            }
        }
    }

    private FilterToken Number()
    {
        var start = _offset;
        if (text[_offset] == '-')
        {
            _offset++;
        }

        var wellFormed = Digits();
        if (_offset < text.Length && text[_offset] == '.')
        {
            _offset++;
            wellFormed &= Digits();
        }

        if (_offset < text.Length && text[_offset] is 'e' or 'E')
        {
            _offset++;
            if (_offset < text.Length && text[_offset] is '+' or '-')
            {
                _offset++;
            }

            wellFormed &= Digits();
        }

        if (_offset < text.Length && (char.IsAsciiLetterOrDigit(text[_offset]) || text[_offset] is '_' or '.' or '$'))
        {
            wellFormed = false;
            while (_offset < text.Length && (char.IsAsciiLetterOrDigit(text[_offset]) || text[_offset] is '_' or '.' or '$'))
            {
                _offset++;
            }
        }

        if (!wellFormed)
        {
            throw new ExportFilterException("Malformed number: expected digits with an optional fraction and exponent, such as -12, 3.5 or 1e-3", start + 1, text[start.._offset]);
        }

        return Token(FilterTokenKind.Number, start);
    }

    private bool Digits()
    {
        var start = _offset;
        while (_offset < text.Length && char.IsAsciiDigit(text[_offset]))
        {
            _offset++;
        }

        return _offset > start;
    }

    private FilterToken Token(FilterTokenKind kind, int start)
    {
        var raw = text[start.._offset];
        return new FilterToken(kind, raw, raw, start);
    }

    private void SkipWhitespace()
    {
        while (_offset < text.Length && char.IsWhiteSpace(text[_offset]))
        {
            _offset++;
        }
    }
}
