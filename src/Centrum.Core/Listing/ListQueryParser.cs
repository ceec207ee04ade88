using System.Text;

namespace Centrum.Listing;

/// <summary>
/// The list options of IoT Central's preview (2022-10-31-preview, Devices_List and DeviceTemplates_List, documented in
/// "How to use the IoT Central REST API to manage devices / device templates", section "Use ODATA filters"):
/// <list type="bullet">
/// <item><c>filter</c>: comparisons <c>field eq|ne|lt|le|gt|ge literal</c> and <c>contains(field, 'text')</c>, joined
/// by <c>and</c> / <c>or</c>, grouped with parentheses; a field may be written quoted (<c>'@id' eq '…'</c>, as the
/// template documentation does); literals are OData strings (<c>'it''s'</c>) or <c>true</c> / <c>false</c>;</item>
/// <item><c>orderby</c>: one field, then optionally <c>asc</c> or <c>desc</c>;</item>
/// <item><c>expand</c>: a name (the swagger's pattern <c>^[a-zA-Z0-9-]*$</c>, at most 255 characters).</item>
/// </list>
/// Which fields exist is the list's business (see <see cref="ListQueryCompiler{TEntity}"/>); this parser only knows the
/// grammar and its limits. It never recurses deeper than <see cref="MaxDepth"/> and reads each character once.
/// </summary>
public static class ListQueryParser
{
    /// <summary>
    /// Characters of a filter. IoT Central documents no limit; the documented examples are under 100 characters, and
    /// 2,048 keeps the whole request line within the 8 KB most proxies accept while bounding the work per request.
    /// </summary>
    public const int MaxFilterLength = 2048;

    /// <summary>Comparisons and function calls in one filter: far beyond the documented examples (two), small enough that the SQL stays small.</summary>
    public const int MaxConditions = 32;

    /// <summary>Parentheses nested in one filter; the parser recurses once per level.</summary>
    public const int MaxDepth = 16;

    /// <summary>Characters of <c>orderby</c>: one field name and a direction.</summary>
    public const int MaxOrderByLength = 256;

    /// <summary>Characters of <c>expand</c> (IoT Central's swagger, parameter Expand: maxLength 255).</summary>
    public const int MaxExpandLength = 255;

    public static ListCondition ParseFilter(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxFilterLength)
        {
            throw new ListQueryException("filter", $"The filter is longer than {MaxFilterLength} characters.");
        }

        var parser = new FilterParser(Tokenize(text));
        var condition = parser.ParseOr(0);
        parser.ExpectEnd();
        return condition;
    }

    public static ListOrder ParseOrderBy(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxOrderByLength)
        {
            throw new ListQueryException("orderby", $"orderby is longer than {MaxOrderByLength} characters.");
        }

        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length is 0 or > 2 || text.Contains(',', StringComparison.Ordinal))
        {
            throw new ListQueryException("orderby", "orderby takes one field, optionally followed by 'asc' or 'desc', for example 'displayName desc'.");
        }

        if (!IsIdentifier(parts[0]))
        {
            throw new ListQueryException("orderby", $"'{parts[0]}' is not a field name.");
        }

        var descending = parts.Length == 2 && parts[1].ToUpperInvariant() switch
        {
            "DESC" => true,
            "ASC" => false,
            _ => throw new ListQueryException("orderby", $"'{parts[1]}' is not a direction: use 'asc' or 'desc'."),
        };
        return new ListOrder(parts[0], descending);
    }

    /// <summary>Checks <c>expand</c> against the swagger's pattern and the entities the list can include.</summary>
    public static string? ParseExpand(string text, IReadOnlyCollection<string> offered)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxExpandLength || !text.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            throw new ListQueryException("expand", $"expand must be at most {MaxExpandLength} letters, digits or '-'.");
        }

        if (text.Length == 0)
        {
            return null;
        }

        return offered.FirstOrDefault(o => o.Equals(text, StringComparison.OrdinalIgnoreCase))
            ?? throw new ListQueryException("expand", offered.Count == 0
                ? $"'{text}' cannot be expanded: this list includes no related entities."
                : $"'{text}' cannot be expanded; this list can expand {string.Join(", ", offered)}.");
    }

    private static bool IsIdentifier(string text) =>
        text.Length > 0 && (char.IsAsciiLetter(text[0]) || text[0] is '@' or '$' or '_') && text.Skip(1).All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c is ' ' or '\t' or '\r' or '\n')
            {
                i++;
            }
            else if (c is '(' or ')' or ',')
            {
                tokens.Add(new Token(c.ToString(), TokenKind.Punctuation, i++));
            }
            else if (c == '\'')
            {
                var start = i++;
                var value = new StringBuilder();
                while (true)
                {
                    if (i >= text.Length)
                    {
                        throw new ListQueryException("filter", $"The string starting at position {start} is not closed.");
                    }

                    if (text[i] == '\'')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '\'')
                        {
                            value.Append('\'');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    value.Append(text[i++]);
                }

                tokens.Add(new Token(value.ToString(), TokenKind.String, start));
            }
            else if (char.IsAsciiLetter(c) || c is '@' or '$' or '_')
            {
                var start = i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or '@' or '$'))
                {
                    i++;
                }

                tokens.Add(new Token(text[start..i], TokenKind.Word, start));
            }
            else
            {
                throw new ListQueryException("filter", $"Unexpected character '{(c < ' ' ? ' ' : c)}' at position {i}.");
            }
        }

        return tokens;
    }

    private enum TokenKind
    {
        Punctuation,
        String,
        Word,
    }

    private sealed record Token(string Text, TokenKind Kind, int Position)
    {
        public bool Is(string word) => Kind != TokenKind.String && Text.Equals(word, StringComparison.OrdinalIgnoreCase);
    }

    private sealed class FilterParser(List<Token> tokens)
    {
        private int _next;
        private int _conditions;

        public ListCondition ParseOr(int depth)
        {
            var left = ParseAnd(depth);
            while (Peek()?.Is("or") == true)
            {
                _next++;
                left = new ListLogical(And: false, left, ParseAnd(depth));
            }

            return left;
        }

        public void ExpectEnd()
        {
            if (Peek() is { } extra)
            {
                throw new ListQueryException("filter", $"Unexpected '{extra.Text}' at position {extra.Position}: expected 'and', 'or' or the end.");
            }
        }

        private ListCondition ParseAnd(int depth)
        {
            var left = ParsePrimary(depth);
            while (Peek()?.Is("and") == true)
            {
                _next++;
                left = new ListLogical(And: true, left, ParsePrimary(depth));
            }

            return left;
        }

        private ListCondition ParsePrimary(int depth)
        {
            var token = Take("a comparison");
            if (token.Kind == TokenKind.Punctuation && token.Text == "(")
            {
                if (depth + 1 > MaxDepth)
                {
                    throw new ListQueryException("filter", $"The filter nests parentheses deeper than {MaxDepth}.");
                }

                var inner = ParseOr(depth + 1);
                Expect(")");
                return inner;
            }

            Count();
            if (token.Kind == TokenKind.Word && token.Is("contains") && Peek() is { Text: "(", Kind: TokenKind.Punctuation })
            {
                _next++;
                var field = Field(Take("a field name"));
                Expect(",");
                var text = Take("a string");
                if (text.Kind != TokenKind.String)
                {
                    throw new ListQueryException("filter", $"contains takes a string as its second argument, at position {text.Position}.");
                }

                Expect(")");
                return new ListContains(field, text.Text);
            }

            var name = Field(token);
            var op = Take("an operator");
            var @operator = op.Kind != TokenKind.Word ? (ListOperator?)null : op.Text.ToLowerInvariant() switch
            {
                "eq" => ListOperator.Equal,
                "ne" => ListOperator.NotEqual,
                "lt" => ListOperator.LessThan,
                "le" => ListOperator.LessOrEqual,
                "gt" => ListOperator.GreaterThan,
                "ge" => ListOperator.GreaterOrEqual,
                _ => null,
            };
            if (@operator is null)
            {
                throw new ListQueryException("filter", $"'{op.Text}' at position {op.Position} is not an operator: use eq, ne, lt, le, gt or ge.");
            }

            var value = Take("a value");
            var literal = value switch
            {
                { Kind: TokenKind.String } => new ListLiteral(value.Text, null),
                _ when value.Is("true") => new ListLiteral(null, true),
                _ when value.Is("false") => new ListLiteral(null, false),
                _ => throw new ListQueryException("filter", $"'{value.Text}' at position {value.Position} is not a value: use a quoted string, true or false."),
            };
            return new ListComparison(name, @operator.Value, literal);
        }

        private void Count()
        {
            if (++_conditions > MaxConditions)
            {
                throw new ListQueryException("filter", $"The filter has more than {MaxConditions} conditions.");
            }
        }

        private static string Field(Token token)
        {
            if (token.Kind == TokenKind.Punctuation || !IsIdentifier(token.Text))
            {
                throw new ListQueryException("filter", $"'{token.Text}' at position {token.Position} is not a field name.");
            }

            return token.Text;
        }

        private Token? Peek() => _next < tokens.Count ? tokens[_next] : null;

        private Token Take(string wanted) =>
            _next < tokens.Count ? tokens[_next++] : throw new ListQueryException("filter", $"The filter ends where {wanted} was expected.");

        private void Expect(string punctuation)
        {
            var token = Take($"'{punctuation}'");
            if (token.Kind != TokenKind.Punctuation || token.Text != punctuation)
            {
                throw new ListQueryException("filter", $"Expected '{punctuation}' at position {token.Position}, found '{token.Text}'.");
            }
        }
    }
}
