using System.Globalization;
using System.Text;

namespace Centrum.Groups.Filtering;

/// <summary>
/// IoT Central's device-group query (IoT Central REST API, <c>DeviceGroup.filter</c>; the published examples read
/// <c>SELECT * FROM devices WHERE $template = "dtmi:…" AND $provisioned = true</c>, and the device-scoped export filter
/// of the same API adds <c>!=</c>, <c>==</c> and <c>CONTAINS($displayName, "a")</c>):
/// <code>
/// query     := SELECT * FROM devices [WHERE condition]
/// condition := and (OR and)*
/// and       := primary (AND primary)*
/// primary   := "(" condition ")" | CONTAINS "(" field "," string ")" | field op literal
/// field     := $name | name | component.name
/// op        := = | == | != | &lt;&gt; | &lt; | &lt;= | &gt; | &gt;=
/// literal   := "double-quoted string" (\" and \\ escaped) | number | true | false
/// </code>
/// Keywords ignore case. Anything else (NOT, IN, LIKE, single-quoted strings, another FROM) is refused naming the
/// construct, never skipped. Like the list filters' parser, it reads each character once, recurses at most
/// <see cref="MaxDepth"/> levels and counts conditions; which fields exist is the planner's business.
/// </summary>
public static class DeviceGroupQuery
{
    /// <summary>
    /// Characters of a query. IoT Central allows 100 filters per group (IoT Central documentation, "Quotas and limits");
    /// 100 conditions of about 40 characters each fit in 4,096.
    /// </summary>
    public const int MaxLength = 4096;

    /// <summary>Conditions in one query: IoT Central's 100 filters per device group ("Quotas and limits").</summary>
    public const int MaxConditions = 100;

    /// <summary>Parentheses nested in one query; the parser recurses once per level.</summary>
    public const int MaxDepth = 16;

    private static readonly string[] Unsupported = ["NOT", "IN", "LIKE", "BETWEEN", "IS", "NULL", "ORDER", "GROUP", "TOP", "AS", "STARTSWITH", "ENDSWITH"];

    /// <summary>The query's condition, or null when it has no WHERE (every device).</summary>
    public static GroupCondition? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxLength)
        {
            throw new GroupQueryException($"The filter is longer than {MaxLength} characters.");
        }

        var parser = new Parser(Tokenize(text));
        parser.Keyword("SELECT");
        parser.Punctuation("*", "'SELECT *': a device group selects whole devices");
        parser.Keyword("FROM");
        var from = parser.Take("'devices'");
        if (!from.Is("devices"))
        {
            throw new GroupQueryException($"A device group selects FROM devices, not '{from.Text}'.");
        }

        if (parser.AtEnd)
        {
            return null;
        }

        parser.Keyword("WHERE");
        var condition = parser.ParseOr(0);
        parser.ExpectEnd();
        return condition;
    }

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
            else if (c is '(' or ')' or ',' or '*' or '.')
            {
                tokens.Add(new Token(c.ToString(), TokenKind.Punctuation, i++));
            }
            else if (c is '=' or '!' or '<' or '>')
            {
                var start = i++;
                if (i < text.Length && (text[i] == '=' || (c == '<' && text[i] == '>')))
                {
                    i++;
                }

                var op = text[start..i];
                if (op == "!")
                {
                    throw new GroupQueryException($"'!' at position {start} is not an operator: use != to compare.");
                }

                tokens.Add(new Token(op, TokenKind.Operator, start));
            }
            else if (c == '"')
            {
                tokens.Add(ReadString(text, ref i));
            }
            else if (c == '\'')
            {
                throw new GroupQueryException($"The string at position {i} is single-quoted: a device group's query writes strings in double quotes.");
            }
            else if (char.IsAsciiDigit(c) || (c == '-' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                var start = i++;
                while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] is '.' or 'e' or 'E' || (text[i] is '+' or '-' && text[i - 1] is 'e' or 'E')))
                {
                    i++;
                }

                tokens.Add(new Token(text[start..i], TokenKind.Number, start));
            }
            else if (char.IsAsciiLetter(c) || c is '$' or '_')
            {
                var start = i++;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }

                tokens.Add(new Token(text[start..i], TokenKind.Word, start));
            }
            else
            {
                throw new GroupQueryException($"Unexpected character '{(c < ' ' ? ' ' : c)}' at position {i}.");
            }
        }

        return tokens;
    }

    private static Token ReadString(string text, ref int i)
    {
        var start = i++;
        var value = new StringBuilder();
        while (true)
        {
            if (i >= text.Length)
            {
                throw new GroupQueryException($"The string starting at position {start} is not closed.");
            }

            var c = text[i++];
            if (c == '"')
            {
                return new Token(value.ToString(), TokenKind.String, start);
            }

            if (c == '\\')
            {
                if (i >= text.Length || text[i] is not ('"' or '\\'))
                {
                    throw new GroupQueryException($"The escape at position {i - 1} is not valid: only \\\" and \\\\ are.");
                }

                c = text[i++];
            }

            value.Append(c);
        }
    }

    private enum TokenKind
    {
        Punctuation,
        Operator,
        String,
        Number,
        Word,
    }

    private sealed record Token(string Text, TokenKind Kind, int Position)
    {
        public bool Is(string word) => Kind == TokenKind.Word && Text.Equals(word, StringComparison.OrdinalIgnoreCase);
    }

    private sealed class Parser(List<Token> tokens)
    {
        private int _next;
        private int _conditions;

        public bool AtEnd => _next >= tokens.Count;

        public void Keyword(string keyword)
        {
            var token = Take($"'{keyword}'");
            if (!token.Is(keyword))
            {
                throw new GroupQueryException($"Expected '{keyword}' at position {token.Position}, found '{token.Text}': a device group's filter reads SELECT * FROM devices WHERE ….");
            }
        }

        public void Punctuation(string text, string wanted)
        {
            var token = Take(wanted);
            if (token.Kind != TokenKind.Punctuation || token.Text != text)
            {
                throw new GroupQueryException($"Expected {wanted} at position {token.Position}, found '{token.Text}'.");
            }
        }

        public void ExpectEnd()
        {
            if (Peek() is { } extra)
            {
                throw new GroupQueryException(Unsupported.Any(extra.Is)
                    ? $"'{extra.Text.ToUpperInvariant()}' at position {extra.Position} is not supported in a device group's filter."
                    : $"Unexpected '{extra.Text}' at position {extra.Position}: expected AND, OR or the end.");
            }
        }

        public GroupCondition ParseOr(int depth)
        {
            var left = ParseAnd(depth);
            while (Peek()?.Is("OR") == true)
            {
                _next++;
                left = new GroupLogical(And: false, left, ParseAnd(depth));
            }

            return left;
        }

        private GroupCondition ParseAnd(int depth)
        {
            var left = ParsePrimary(depth);
            while (Peek()?.Is("AND") == true)
            {
                _next++;
                left = new GroupLogical(And: true, left, ParsePrimary(depth));
            }

            return left;
        }

        private GroupCondition ParsePrimary(int depth)
        {
            var token = Take("a condition");
            if (token is { Kind: TokenKind.Punctuation, Text: "(" })
            {
                if (depth + 1 > MaxDepth)
                {
                    throw new GroupQueryException($"The filter nests parentheses deeper than {MaxDepth}.");
                }

                var inner = ParseOr(depth + 1);
                Punctuation(")", "')'");
                return inner;
            }

            if (++_conditions > MaxConditions)
            {
                throw new GroupQueryException($"The filter has more than {MaxConditions} conditions.");
            }

            if (token.Kind == TokenKind.Word && Unsupported.Any(token.Is))
            {
                throw new GroupQueryException($"'{token.Text.ToUpperInvariant()}' at position {token.Position} is not supported in a device group's filter.");
            }

            if (token.Is("CONTAINS") && Peek() is { Kind: TokenKind.Punctuation, Text: "(" })
            {
                _next++;
                var field = Field(Take("a field"));
                Punctuation(",", "','");
                var text = Take("a string");
                if (text.Kind != TokenKind.String)
                {
                    throw new GroupQueryException($"CONTAINS takes a double-quoted string as its second argument, at position {text.Position}.");
                }

                Punctuation(")", "')'");
                return new GroupContains(field, text.Text);
            }

            var name = Field(token);
            var op = Take("an operator");
            GroupOperator? @operator = op.Kind != TokenKind.Operator ? null : op.Text switch
            {
                "=" or "==" => GroupOperator.Equal,
                "!=" or "<>" => GroupOperator.NotEqual,
                "<" => GroupOperator.LessThan,
                "<=" => GroupOperator.LessOrEqual,
                ">" => GroupOperator.GreaterThan,
                ">=" => GroupOperator.GreaterOrEqual,
                _ => null,
            };
            if (@operator is null)
            {
                throw new GroupQueryException(Unsupported.Any(op.Is)
                    ? $"'{op.Text.ToUpperInvariant()}' at position {op.Position} is not supported in a device group's filter; use =, !=, <, <=, >, >= or CONTAINS."
                    : $"'{op.Text}' at position {op.Position} is not an operator: use =, !=, <, <=, >, >= or CONTAINS.");
            }

            return new GroupComparison(name, @operator.Value, Literal(Take("a value")));
        }

        private static GroupValue Literal(Token value)
        {
            if (value.Kind == TokenKind.String)
            {
                return new GroupValue(value.Text, null, null);
            }

            if (value.Kind == TokenKind.Number)
            {
                return double.TryParse(value.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
                    ? new GroupValue(null, number, null)
                    : throw new GroupQueryException($"'{value.Text}' at position {value.Position} is not a number.");
            }

            return value.Is("true") ? new GroupValue(null, null, true)
                : value.Is("false") ? new GroupValue(null, null, false)
                : throw new GroupQueryException($"'{value.Text}' at position {value.Position} is not a value: use a double-quoted string, a number, true or false.");
        }

        private GroupField Field(Token token)
        {
            if (token.Kind != TokenKind.Word || token.Text == "$" || (token.Text.Length > 1 && token.Text[1..].Contains('$', StringComparison.Ordinal)))
            {
                throw new GroupQueryException($"'{token.Text}' at position {token.Position} is not a field.");
            }

            if (Peek() is not { Kind: TokenKind.Punctuation, Text: "." })
            {
                return new GroupField(token.Text, null);
            }

            _next++;
            var name = Take("a property name");
            if (token.Text.StartsWith('$') || name.Kind != TokenKind.Word || name.Text.StartsWith('$'))
            {
                throw new GroupQueryException($"'{token.Text}.{name.Text}' at position {token.Position} is not a field: write component.property.");
            }

            return new GroupField(name.Text, token.Text);
        }

        private Token? Peek() => _next < tokens.Count ? tokens[_next] : null;

        public Token Take(string wanted) =>
            _next < tokens.Count ? tokens[_next++] : throw new GroupQueryException($"The filter ends where {wanted} was expected.");
    }
}
