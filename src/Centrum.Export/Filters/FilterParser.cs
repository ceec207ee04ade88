using System.Globalization;

namespace Centrum.Export.Filters;

/// <summary>
/// Recursive descent over <see cref="FilterLexer"/>'s tokens with one token of lookahead (two where a word may open a
/// function call). Grammar, keywords case-insensitive:
/// <code>
/// filter     := SELECT '*' FROM sources [WHERE or]
/// sources    := 'devices' | templateId [AS alias] (',' templateId [AS alias])*
/// or         := and (OR and)*
/// and        := unary (AND unary)*
/// unary      := NOT unary | '(' or ')' | function | operand (comparison operand | IN list)
/// function   := (CONTAINS | STARTS_WITH) '(' operand ',' string ')'
/// list       := '[' literal (',' literal)* ']' | '(' literal (',' literal)* ')'
/// operand    := field | literal
/// </code>
/// </summary>
internal sealed class FilterParser
{
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "SELECT", "FROM", "WHERE", "AS", "AND", "OR", "NOT", "IN", "TRUE", "FALSE", "NULL",
    };

    private readonly FilterLexer _lexer;
    private readonly Dictionary<string, string> _aliases = new(StringComparer.Ordinal);
    private readonly List<FilterField> _fields = [];
    private FilterToken _current;
    private FilterToken? _next;
    private int _conditions;
    private int _depth;

    private FilterParser(string text) => _lexer = new FilterLexer(text);

    public static ExportFilter Parse(string? text)
    {
        text ??= "";
        if (text.Length > ExportFilter.MaxLength)
        {
            throw new ExportFilterException(
                $"A filter is at most {ExportFilter.MaxLength} characters long; this one has {text.Length}",
                ExportFilter.MaxLength + 1,
                FilterLexer.Excerpt(text, ExportFilter.MaxLength));
        }

        return new FilterParser(text).Filter();
    }

    private ExportFilter Filter()
    {
        Advance();
        if (!_current.IsKeyword("SELECT"))
        {
            throw Error("Expected SELECT: a filter reads SELECT * FROM <template or devices> [WHERE <conditions>]", _current);
        }

        Advance();
        if (!_current.IsSymbol("*"))
        {
            throw Error("Only SELECT * is supported in export filters", _current);
        }

        Advance();
        if (_current.IsSymbol(","))
        {
            throw Error("Only SELECT * is supported in export filters", _current);
        }

        if (!_current.IsKeyword("FROM"))
        {
            throw Error("Expected FROM after SELECT *", _current);
        }

        _current = _lexer.NextTemplateId();
        var sources = Sources();
        var deviceScoped = sources is null;

        FilterCondition? where = null;
        if (_current.IsKeyword("WHERE"))
        {
            Advance();
            where = Or();
            if (_current.Kind != FilterTokenKind.End)
            {
                throw Error(_current.IsSymbol(")") ? "Unexpected ')' without a matching '('" : "Expected AND, OR or the end of the filter", _current);
            }
        }
        else if (_current.Kind != FilterTokenKind.End)
        {
            throw Error(deviceScoped ? "Expected WHERE or the end of the filter" : "Expected AS, ',', WHERE or the end of the filter", _current);
        }

        return new ExportFilter(sources ?? [], deviceScoped, where, _conditions, _fields);
    }

    /// <summary>The FROM list, or null for <c>FROM devices</c>.</summary>
    private List<FilterSource>? Sources()
    {
        if (IsDevices(_current))
        {
            Advance();
            if (_current.IsSymbol(","))
            {
                throw Error("FROM devices cannot be combined with device templates", _current);
            }

            if (_current.IsKeyword("AS"))
            {
                throw Error("FROM devices takes no alias", _current);
            }

            return null;
        }

        var sources = new List<FilterSource>();
        while (true)
        {
            var template = _current;
            if (template.Kind != FilterTokenKind.TemplateId)
            {
                throw Error(sources.Count == 0 ? "Expected a device template id or devices after FROM" : "Expected a device template id after ','", template);
            }

            if (IsDevices(template))
            {
                throw Error("FROM devices cannot be combined with device templates", template);
            }

            if (sources.Any(s => s.TemplateId == template.Raw))
            {
                throw Error($"Template '{template.Raw}' is listed twice", template);
            }

            Advance();
            string? alias = null;
            if (_current.IsKeyword("AS"))
            {
                Advance();
                var name = _current;
                if (name.Kind != FilterTokenKind.Word || !IsName(name.Raw) || name.Raw.StartsWith('$') || Reserved.Contains(name.Raw))
                {
                    throw Error("Expected an alias after AS: a name of letters, digits and '_' that is not a keyword", name);
                }

                if (!_aliases.TryAdd(name.Raw, template.Raw))
                {
                    throw Error($"Alias '{name.Raw}' is used twice", name);
                }

                alias = name.Raw;
                Advance();
            }

            sources.Add(new FilterSource(template.Raw, alias));
            if (!_current.IsSymbol(","))
            {
                return sources;
            }

            _current = _lexer.NextTemplateId();
        }
    }

    private FilterCondition Or()
    {
        var first = And();
        if (!_current.IsKeyword("OR"))
        {
            return first;
        }

        var conditions = new List<FilterCondition> { first };
        while (_current.IsKeyword("OR"))
        {
            Advance();
            conditions.Add(And());
        }

        return new AnyCondition(conditions);
    }

    private FilterCondition And()
    {
        var first = Unary();
        if (!_current.IsKeyword("AND"))
        {
            return first;
        }

        var conditions = new List<FilterCondition> { first };
        while (_current.IsKeyword("AND"))
        {
            Advance();
            conditions.Add(Unary());
        }

        return new AllCondition(conditions);
    }

    private FilterCondition Unary()
    {
        var token = _current;
        if (token.IsKeyword("NOT"))
        {
            Enter(token);
            Advance();
            var operand = Unary();
            _depth--;
            return new NotCondition(operand);
        }

        if (token.IsSymbol("("))
        {
            Enter(token);
            Advance();
            var inner = Or();
            Close(token, ")", "Expected ')', AND or OR");
            _depth--;
            return inner;
        }

        if (IsCall(token))
        {
            return Function();
        }

        var left = Operand("Expected a condition: a comparison, IN, CONTAINS(…), STARTS_WITH(…), NOT or '('");
        if (_current.IsKeyword("IN"))
        {
            Advance();
            var values = List();
            _conditions++;
            return new InCondition(left, values);
        }

        if (OperatorOf(_current) is not { } op)
        {
            throw Error("Expected a comparison operator (=, ==, !=, <>, <, >, <=, >=) or IN", _current);
        }

        var symbol = _current.Raw;
        Advance();
        var right = Operand($"Expected a field or a value after '{symbol}'");
        _conditions++;
        return new ComparisonCondition(left, op, right);
    }

    private TextCondition Function()
    {
        var name = _current;
        var spelled = name.Raw.ToUpperInvariant();
        var function = spelled switch
        {
            "CONTAINS" => TextFunction.Contains,
            "STARTS_WITH" => TextFunction.StartsWith,
            _ => throw Error($"Unknown function '{name.Raw}': export filters support CONTAINS and STARTS_WITH", name),
        };
        Advance();
        var open = _current;
        Advance();
        var operand = Operand($"Expected a field or a value as {spelled}'s first argument");
        if (!_current.IsSymbol(","))
        {
            throw _current.Kind == FilterTokenKind.End ? Unclosed(open, ")") : Error($"Expected ',' after {spelled}'s first argument", _current);
        }

        Advance();
        var text = _current;
        if (text.Kind != FilterTokenKind.String)
        {
            throw Error($"{spelled} takes a string literal ('text' or \"text\") as its second argument", text);
        }

        Advance();
        Close(open, ")", $"Expected ')' after {spelled}'s two arguments");
        _conditions++;
        return new TextCondition(function, operand, text.Value);
    }

    private List<FilterValue> List()
    {
        var open = _current;
        var close = open.IsSymbol("[") ? "]" : open.IsSymbol("(") ? ")" : null;
        if (close is null)
        {
            throw Error("Expected a list of values after IN, in [ ] or ( )", open);
        }

        Advance();
        if (_current.IsSymbol(close))
        {
            throw Error("An IN list needs at least one value", _current);
        }

        var values = new List<FilterValue>();
        while (true)
        {
            values.Add(Literal(_current) ?? throw Error("Expected a value in the IN list: a number, a string, true, false or null", _current));
            Advance();
            if (_current.IsSymbol(","))
            {
                Advance();
                continue;
            }

            Close(open, close, $"Expected ',' or '{close}' in the IN list");
            return values;
        }
    }

    private FilterOperand Operand(string expected)
    {
        var token = _current;
        if (Literal(token) is { } literal)
        {
            Advance();
            return new LiteralOperand(literal);
        }

        if (IsCall(token))
        {
            throw Error(
                token.Raw.ToUpperInvariant() is "CONTAINS" or "STARTS_WITH"
                    ? $"'{token.Raw}(…)' is not a value: CONTAINS and STARTS_WITH are conditions of their own"
                    : $"Unknown function '{token.Raw}': export filters support CONTAINS and STARTS_WITH",
                token);
        }

        if (token.Kind != FilterTokenKind.Word || Reserved.Contains(token.Raw))
        {
            throw Error(expected, token);
        }

        Advance();
        return Field(token);
    }

    private FieldOperand Field(FilterToken token)
    {
        var segments = token.Raw.Split('.');
        var offset = token.Offset;
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            if (segment.Length == 0)
            {
                throw new ExportFilterException("Expected a name between the dots of a field", offset + 1, token.Raw);
            }

            if (segment.StartsWith('$') && (i > 0 || segments.Length > 1))
            {
                throw new ExportFilterException("A device fact such as $id stands alone: it takes no alias, component or path", offset + 1, token.Raw);
            }

            if (!IsName(segment))
            {
                throw new ExportFilterException("A field name is letters, digits and '_', starting with a letter or '_' (or '$' for device facts)", offset + 1, token.Raw);
            }

            offset += segment.Length + 1;
        }

        _fields.Add(new FilterField(
            segments.Length > 1 ? string.Join('.', segments[..^1]) : null,
            segments[^1],
            token.Offset + 1,
            token.Raw));

        // An alias qualifies only when something follows it; a lone name that equals an alias is a field.
        return segments.Length > 1 && _aliases.TryGetValue(segments[0], out var template)
            ? new FieldOperand(template, segments[1..])
            : new FieldOperand(null, segments);
    }

    private static FilterValue? Literal(FilterToken token)
    {
        switch (token.Kind)
        {
            case FilterTokenKind.Number:
                return double.TryParse(token.Raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
                    ? FilterValue.Of(number)
                    : throw Error("Number out of range", token);
            case FilterTokenKind.String:
                return FilterValue.Of(token.Value);
            case FilterTokenKind.Word when token.IsKeyword("true"):
                return FilterValue.Of(true);
            case FilterTokenKind.Word when token.IsKeyword("false"):
                return FilterValue.Of(false);
            case FilterTokenKind.Word when token.IsKeyword("null"):
                return FilterValue.Null;
            default:
                return null;
        }
    }

    private static ComparisonOperator? OperatorOf(FilterToken token) => token.Kind != FilterTokenKind.Symbol ? null : token.Raw switch
    {
        "=" or "==" => ComparisonOperator.Equal,
        "!=" or "<>" => ComparisonOperator.NotEqual,
        "<" => ComparisonOperator.Less,
        ">" => ComparisonOperator.Greater,
        "<=" => ComparisonOperator.LessOrEqual,
        ">=" => ComparisonOperator.GreaterOrEqual,
        _ => null,
    };

    private bool IsCall(FilterToken token) =>
        token.Kind == FilterTokenKind.Word && !token.Raw.Contains('.', StringComparison.Ordinal) && !Reserved.Contains(token.Raw) && PeekNext().IsSymbol("(");

    private static bool IsDevices(FilterToken token) =>
        token.Kind == FilterTokenKind.TemplateId && token.Raw.Equals("devices", StringComparison.OrdinalIgnoreCase);

    /// <summary>A name, or a device fact's <c>$name</c>.</summary>
    private static bool IsName(string text)
    {
        var name = text.StartsWith('$') ? text.AsSpan(1) : text.AsSpan();
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }

    private void Enter(FilterToken token)
    {
        if (++_depth > ExportFilter.MaxDepth)
        {
            throw Error($"Conditions nest deeper than {ExportFilter.MaxDepth} levels of NOT and parentheses", token);
        }
    }

    private void Close(FilterToken open, string close, string expected)
    {
        if (_current.IsSymbol(close))
        {
            Advance();
            return;
        }

        throw _current.Kind == FilterTokenKind.End ? Unclosed(open, close) : Error(expected, _current);
    }

    private static ExportFilterException Unclosed(FilterToken open, string close) =>
        Error($"Unclosed '{open.Raw}': expected '{close}' before the end of the filter", open);

    private FilterToken PeekNext() => _next ??= _lexer.Next();

    private void Advance()
    {
        if (_next is { } next)
        {
            _current = next;
            _next = null;
        }
        else
        {
            _current = _lexer.Next();
        }
    }

    private static ExportFilterException Error(string reason, FilterToken token) =>
        new(reason, token.Offset + 1, token.Kind == FilterTokenKind.End ? null : token.Raw);
}
