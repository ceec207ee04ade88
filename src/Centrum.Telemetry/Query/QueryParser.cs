using System.Globalization;
using System.Text;
using System.Xml;

namespace Centrum.Telemetry.Query;

/// <summary>
/// IoT Central's query language (IoT Central docs "How to use the IoT Central REST API to query devices") into a typed tree: <c>SELECT [TOP n] items FROM template [WHERE …]
/// [GROUP BY WINDOW(d)] [ORDER BY key [ASC|DESC]]</c>. Every error names the position and token it refers to.
/// </summary>
public static class QueryParser
{
    public const int MaxSelectItems = 15;
    public const int MaxLogicalOperators = 10;

    /// <summary>
    /// Longest query text accepted. With at most 15 items and 10 logical operators (IoT Central's query limits) a query
    /// is a few hundred characters; 8,192 leaves room for long names and IN lists while bounding lexing work.
    /// </summary>
    public const int MaxLength = 8192;

    /// <summary>
    /// Deepest nesting of parentheses in WHERE. Ten logical operators need at most ten levels; parsing recurses once per
    /// level, so without a bound 10,000 '(' overflowed the stack and ended the process.
    /// </summary>
    public const int MaxNestingDepth = 32;

    /// <summary>Most values in one <c>IN [..]</c> list; each becomes a DuckDB parameter.</summary>
    public const int MaxInValues = 256;

    /// <exception cref="QueryException">The text is not a query this language accepts (the message names the position).</exception>
    public static TelemetryQuery Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxLength)
        {
            throw new QueryException($"A query is at most {MaxLength} characters long; this one has {text.Length}", MaxLength, null);
        }

        var tokens = Lex(text);
        var parser = new Parser(tokens);
        return parser.Query();
    }

    private enum Kind
    {
        Word,
        Number,
        String,
        Symbol,
        End,
    }

    private readonly record struct Token(Kind Kind, string Text, int Position);

    private static List<Token> Lex(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            var start = i;
            if (c == '\'')
            {
                var value = new StringBuilder();
                i++;
                while (true)
                {
                    if (i >= text.Length)
                    {
                        throw new QueryException("Unterminated string literal", start, text[start..]);
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

                tokens.Add(new Token(Kind.String, value.ToString(), start));
            }
            else if (char.IsAsciiDigit(c) || (c == '-' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1]) && (tokens.Count == 0 || tokens[^1].Kind == Kind.Symbol)))
            {
                i++;
                while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] is '.' or 'e' or 'E' || (text[i] is '+' or '-' && text[i - 1] is 'e' or 'E')))
                {
                    i++;
                }

                tokens.Add(new Token(Kind.Number, text[start..i], start));
            }
            else if (char.IsAsciiLetter(c) || c is '$' or '_')
            {
                // Words include DTMIs (dtmi:a:b;1), durations (PT1H) and component.name.
                i++;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or ':' or ';' or '.' or '$'))
                {
                    i++;
                }

                tokens.Add(new Token(Kind.Word, text[start..i], start));
            }
            else if (i + 1 < text.Length && text.Substring(i, 2) is "<=" or ">=" or "!=" or "<>")
            {
                tokens.Add(new Token(Kind.Symbol, text.Substring(i, 2), start));
                i += 2;
            }
            else if ("=<>(),[]*".Contains(c, StringComparison.Ordinal))
            {
                tokens.Add(new Token(Kind.Symbol, c.ToString(), start));
                i++;
            }
            else
            {
                throw new QueryException($"Unexpected character '{c}'", start, c.ToString());
            }
        }

        tokens.Add(new Token(Kind.End, "", text.Length));
        return tokens;
    }

    private sealed class Parser(List<Token> tokens)
    {
        private int _index;
        private int _logical;
        private int _depth;

        private Token Current => tokens[_index];

        public TelemetryQuery Query()
        {
            Expect("SELECT");
            int? top = null;
            if (Accept("TOP"))
            {
                var count = Current;
                if (count.Kind != Kind.Number || !int.TryParse(count.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
                {
                    throw Error("TOP takes a positive whole number", count);
                }

                top = n;
                _index++;
            }

            var items = new List<SelectItem> { Item() };
            while (AcceptSymbol(","))
            {
                items.Add(Item());
            }

            if (items.Count > MaxSelectItems)
            {
                throw Error($"At most {MaxSelectItems} items may be selected", Current);
            }

            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in items)
            {
                if (!names.Add(item.OutputName))
                {
                    throw new QueryException($"'{item.OutputName}' is selected twice; give one an alias", item.Field.Position, item.OutputName);
                }
            }

            Expect("FROM");
            var template = Current;
            if (template.Kind != Kind.Word || !template.Text.StartsWith("dtmi:", StringComparison.Ordinal))
            {
                throw Error("FROM takes a device template id (a DTMI)", template);
            }

            _index++;
            Condition? where = null;
            if (Accept("WHERE"))
            {
                where = Or(items);
            }

            TimeSpan? window = null;
            if (Accept("GROUP"))
            {
                Expect("BY");
                Expect("WINDOW");
                ExpectSymbol("(");
                window = Duration(Current);
                _index++;
                ExpectSymbol(")");
            }

            QueryOrder? order = null;
            if (Accept("ORDER"))
            {
                Expect("BY");
                var key = Field(items);
                var descending = Accept("DESC");
                if (!descending)
                {
                    Accept("ASC");
                }

                order = new QueryOrder(key, descending);
            }

            if (Current.Kind != Kind.End)
            {
                throw Error("Unexpected text after the query", Current);
            }

            var query = new TelemetryQuery(top, items, template.Text, where, window, order);
            if (window is not null && items.Any(i => i.Aggregate == Aggregate.None && !i.Field.IsTimestamp))
            {
                throw new QueryException("With GROUP BY WINDOW every selected item must be an aggregate (or $ts)", items.First(i => i.Aggregate == Aggregate.None).Field.Position, items.First(i => i.Aggregate == Aggregate.None).Field.Text);
            }

            if (query.IsAggregate && window is null && items.Any(i => i.Aggregate == Aggregate.None))
            {
                var plain = items.First(i => i.Aggregate == Aggregate.None);
                throw new QueryException("Aggregates and plain fields cannot be mixed without GROUP BY WINDOW", plain.Field.Position, plain.Field.Text);
            }

            return query;
        }

        private SelectItem Item()
        {
            var token = Current;
            if (token.Kind == Kind.Symbol && token.Text == "*")
            {
                throw Error("'*' is not supported: name the fields", token);
            }

            var aggregate = Aggregate.None;
            if (token.Kind == Kind.Word && Enum.TryParse<Aggregate>(token.Text, ignoreCase: true, out var parsed) && parsed != Aggregate.None
                && tokens[_index + 1].Text == "(")
            {
                aggregate = parsed;
                _index++;
                ExpectSymbol("(");
            }

            var field = Field([]);
            if (aggregate != Aggregate.None)
            {
                if (field.IsId || field.IsTimestamp)
                {
                    throw new QueryException("Aggregates apply to telemetry, not to $id or $ts", field.Position, field.Text);
                }

                ExpectSymbol(")");
            }

            string? alias = null;
            if (Accept("AS"))
            {
                var name = Current;
                if (name.Kind != Kind.Word || name.Text.Contains('.', StringComparison.Ordinal) || name.Text.StartsWith('$'))
                {
                    throw Error("AS takes a name", name);
                }

                alias = name.Text;
                _index++;
            }

            return new SelectItem(field, aggregate, alias);
        }

        private QueryField Field(IReadOnlyList<SelectItem> items)
        {
            var token = Current;
            if (token.Kind != Kind.Word || token.Text.StartsWith("dtmi:", StringComparison.Ordinal) || IsKeyword(token.Text))
            {
                throw Error("Expected a field name", token);
            }

            _index++;
            if (items.FirstOrDefault(i => i.Alias == token.Text) is { } aliased)
            {
                return aliased.Field;
            }

            if (token.Text.StartsWith('$'))
            {
                return token.Text is "$id" or "$ts" ? new QueryField(null, token.Text, token.Position) : throw Error($"Unknown system field '{token.Text}': use $id or $ts", token);
            }

            var parts = token.Text.Split('.');
            if (parts.Length > 2 || parts.Any(p => p.Length == 0))
            {
                throw Error("A field is a telemetry name or component.name", token);
            }

            return parts.Length == 2 ? new QueryField(parts[0], parts[1], token.Position) : new QueryField(null, parts[0], token.Position);
        }

        private Condition Or(IReadOnlyList<SelectItem> items)
        {
            var left = And(items);
            while (Accept("OR"))
            {
                Count();
                left = new OrCondition(left, And(items));
            }

            return left;
        }

        private Condition And(IReadOnlyList<SelectItem> items)
        {
            var left = Predicate(items);
            while (Accept("AND"))
            {
                Count();
                left = new AndCondition(left, Predicate(items));
            }

            return left;
        }

        private void Count()
        {
            if (++_logical > MaxLogicalOperators)
            {
                throw Error($"At most {MaxLogicalOperators} logical operators may be used", tokens[_index - 1]);
            }
        }

        private Condition Predicate(IReadOnlyList<SelectItem> items)
        {
            if (Current.Kind == Kind.Symbol && Current.Text == "(")
            {
                if (++_depth > MaxNestingDepth)
                {
                    throw Error($"Conditions nest at most {MaxNestingDepth} parentheses deep", Current);
                }

                _index++;
                var inner = Or(items);
                ExpectSymbol(")");
                _depth--;
                return inner;
            }

            if (Accept("WITHIN_WINDOW"))
            {
                ExpectSymbol("(");
                var window = Current;
                _index++;
                Condition result;
                if (window.Kind == Kind.String)
                {
                    var parts = window.Text.Split('/');
                    if (parts.Length != 2 || !DateTimeOffset.TryParse(parts[0], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var start)
                        || !DateTimeOffset.TryParse(parts[1], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var end) || start >= end)
                    {
                        throw Error("An absolute window is 'start/end' with ISO 8601 times, start before end", window);
                    }

                    result = new WindowCondition(null, start, end);
                }
                else
                {
                    result = new WindowCondition(Duration(window), null, null);
                }

                ExpectSymbol(")");
                return result;
            }

            var field = Field(items);
            if (Accept("IN"))
            {
                ExpectSymbol("[");
                var values = new List<QueryLiteral> { Literal() };
                while (AcceptSymbol(","))
                {
                    if (values.Count == MaxInValues)
                    {
                        throw Error($"IN takes at most {MaxInValues} values", Current);
                    }

                    values.Add(Literal());
                }

                ExpectSymbol("]");
                return new InCondition(field, values);
            }

            var op = Current;
            if (op.Kind != Kind.Symbol || op.Text is not ("=" or "!=" or "<>" or ">" or "<" or ">=" or "<="))
            {
                throw Error("Expected a comparison (=, !=, <>, >, <, >=, <=) or IN", op);
            }

            _index++;
            return new CompareCondition(field, op.Text == "<>" ? "!=" : op.Text, Literal());
        }

        private QueryLiteral Literal()
        {
            var token = Current;
            _index++;
            return token.Kind switch
            {
                Kind.Number when double.TryParse(token.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) => new QueryLiteral(number),
                Kind.String => new QueryLiteral(token.Text),
                Kind.Word when token.Text.Equals("true", StringComparison.OrdinalIgnoreCase) => new QueryLiteral(true),
                Kind.Word when token.Text.Equals("false", StringComparison.OrdinalIgnoreCase) => new QueryLiteral(false),
                _ => throw Error("Expected a number, a 'string' or true/false", token),
            };
        }

        private static TimeSpan Duration(Token token)
        {
            if (token.Kind == Kind.Word && Parse(token.Text) is { } duration && duration > TimeSpan.Zero)
            {
                return duration;
            }

            throw Error("Expected an ISO 8601 duration such as PT10M or P1D", token);
        }

        /// <summary>ISO 8601 durations as XML Schema reads them, plus the week form <c>PnW</c> it lacks.</summary>
        private static TimeSpan? Parse(string text)
        {
            if (text.Length > 2 && text[0] == 'P' && text[^1] == 'W')
            {
                // TimeSpan reaches about 1.5 million weeks.
                return long.TryParse(text.AsSpan(1, text.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var weeks) && weeks <= 1_000_000
                    ? TimeSpan.FromDays(weeks * 7)
                    : null;
            }

            try
            {
                return XmlConvert.ToTimeSpan(text);
            }
            catch (Exception e) when (e is FormatException or OverflowException)
            {
                return null;
            }
        }

        private static bool IsKeyword(string text) => text.ToUpperInvariant() is "SELECT" or "FROM" or "WHERE" or "GROUP" or "BY" or "ORDER" or "AND" or "OR" or "IN" or "AS" or "TOP" or "ASC" or "DESC";

        private bool Accept(string keyword)
        {
            if (Current.Kind == Kind.Word && Current.Text.Equals(keyword, StringComparison.OrdinalIgnoreCase))
            {
                _index++;
                return true;
            }

            return false;
        }

        private bool AcceptSymbol(string symbol)
        {
            if (Current.Kind == Kind.Symbol && Current.Text == symbol)
            {
                _index++;
                return true;
            }

            return false;
        }

        private void Expect(string keyword)
        {
            if (!Accept(keyword))
            {
                throw Error($"Expected {keyword}", Current);
            }
        }

        private void ExpectSymbol(string symbol)
        {
            if (!AcceptSymbol(symbol))
            {
                throw Error($"Expected '{symbol}'", Current);
            }
        }

        private static QueryException Error(string message, Token token) =>
            new(message, token.Position, token.Kind == Kind.End ? null : token.Text);
    }
}
