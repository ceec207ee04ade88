using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Centrum.Export.Jq;

/// <summary>A jq syntax or runtime error; syntax errors name the position.</summary>
public class JqException(string message) : Exception(message);

/// <summary>
/// A jq program exceeded one of the limits a transform runs under (<see cref="JqLimits"/>). Unlike other jq errors,
/// <c>try</c> and <c>?</c> do not catch it: a budget that a program could catch would not bound it.
/// </summary>
public sealed class JqLimitException(string message) : JqException(message);

/// <summary>Parses the jq subset IoT Central's export transforms use (see <see cref="JqProgram"/>).</summary>
internal sealed class JqParser
{
    private readonly string _text;
    private int _pos;
    private int _depth;

    private JqParser(string text) => _text = text;

    public static JqNode Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > JqLimits.MaxProgramLength)
        {
            throw new JqException($"jq syntax error: a transform is at most {JqLimits.MaxProgramLength} characters long; this one has {text.Length}");
        }

        var parser = new JqParser(text);
        var node = parser.ParsePipe();
        parser.Skip();
        if (parser._pos < text.Length)
        {
            throw parser.Error("unexpected text");
        }

        JqLimits.CheckShape(node);
        return node;
    }

    /// <summary>
    /// Counts one level of the parser's recursion, so nesting is refused before it exhausts the stack; the tree's own
    /// depth is checked after parsing (<see cref="JqLimits.CheckShape"/>), since loops build deep trees too.
    /// </summary>
    private void Enter()
    {
        if (++_depth > JqLimits.MaxDepth)
        {
            throw Error($"the program nests deeper than {JqLimits.MaxDepth} levels");
        }
    }

    private JqNode ParsePipe()
    {
        var left = ParseComma();
        Skip();
        if (Keyword("as"))
        {
            Skip();
            var name = ParseVariableName();
            Expect("|");
            return new Bind(left, name, ParseNestedPipe());
        }

        if (TryTake("|"))
        {
            return new Pipe(left, ParseNestedPipe());
        }

        return left;
    }

    /// <summary>The rest of a pipe: one level deeper, since pipes nest to the right.</summary>
    private JqNode ParseNestedPipe()
    {
        Enter();
        var result = ParsePipe();
        _depth--;
        return result;
    }

    private JqNode ParseComma()
    {
        var left = ParseAlternative();
        while (Peek(",") )
        {
            _pos++;
            left = new Comma(left, ParseAlternative());
        }

        return left;
    }

    private JqNode ParseAlternative()
    {
        var left = ParseOr();
        if (TryTake("//"))
        {
            Enter();
            var right = ParseAlternative();
            _depth--;
            return new Binary("//", left, right);
        }

        return left;
    }

    private JqNode ParseOr()
    {
        var left = ParseAnd();
        while (Keyword("or"))
        {
            left = new Binary("or", left, ParseAnd());
        }

        return left;
    }

    private JqNode ParseAnd()
    {
        var left = ParseComparison();
        while (Keyword("and"))
        {
            left = new Binary("and", left, ParseComparison());
        }

        return left;
    }

    private JqNode ParseComparison()
    {
        var left = ParseAdditive();
        foreach (var op in new[] { "==", "!=", "<=", ">=", "<", ">" })
        {
            if (TryTake(op))
            {
                return new Binary(op, left, ParseAdditive());
            }
        }

        return left;
    }

    private JqNode ParseAdditive()
    {
        var left = ParseMultiplicative();
        while (true)
        {
            Skip();
            if (Peek("+"))
            {
                _pos++;
                left = new Binary("+", left, ParseMultiplicative());
            }
            else if (Peek("-") && !Peek("->"))
            {
                _pos++;
                left = new Binary("-", left, ParseMultiplicative());
            }
            else
            {
                return left;
            }
        }
    }

    private JqNode ParseMultiplicative()
    {
        var left = ParseUnary();
        while (true)
        {
            Skip();
            if (Peek("*") || (Peek("/") && !Peek("//")) || Peek("%"))
            {
                var op = _text[_pos++].ToString();
                left = new Binary(op, left, ParseUnary());
            }
            else
            {
                return left;
            }
        }
    }

    private JqNode ParseUnary()
    {
        Skip();
        if (Peek("-"))
        {
            _pos++;
            return new Negate(ParsePostfix());
        }

        return ParsePostfix();
    }

    private JqNode ParsePostfix()
    {
        var node = ParsePrimary();
        while (true)
        {
            if (_pos < _text.Length && _text[_pos] == '.' && _pos + 1 < _text.Length && (char.IsLetter(_text[_pos + 1]) || _text[_pos + 1] is '_' or '"'))
            {
                _pos++;
                node = FieldAccess(node);
            }
            else if (_pos < _text.Length && _text[_pos] == '[')
            {
                node = Bracket(node);
            }
            else if (_pos < _text.Length && _text[_pos] == '.' && _pos + 1 < _text.Length && _text[_pos + 1] == '[')
            {
                _pos++;
                node = Bracket(node);
            }
            else if (_pos < _text.Length && _text[_pos] == '?')
            {
                _pos++;
                node = new TryCatch(node, null);
            }
            else
            {
                return node;
            }
        }
    }

    private Field FieldAccess(JqNode target)
    {
        string name;
        if (_text[_pos] == '"')
        {
            name = ReadString();
        }
        else
        {
            var start = _pos;
            while (_pos < _text.Length && (char.IsLetterOrDigit(_text[_pos]) || _text[_pos] == '_'))
            {
                _pos++;
            }

            name = _text[start.._pos];
        }

        var optional = _pos < _text.Length && _text[_pos] == '?';
        if (optional)
        {
            _pos++;
        }

        return new Field(target, name, optional);
    }

    private JqNode Bracket(JqNode target)
    {
        Expect("[");
        if (TryTake("]"))
        {
            var optional = _pos < _text.Length && _text[_pos] == '?';
            if (optional)
            {
                _pos++;
            }

            return new Iterate(target, optional);
        }

        if (TryTake(":"))
        {
            var to = ParsePipe();
            Expect("]");
            return new Slice(target, null, to);
        }

        var key = ParsePipe();
        if (TryTake(":"))
        {
            var end = Peek("]") ? null : ParsePipe();
            Expect("]");
            return new Slice(target, key, end);
        }

        Expect("]");
        return new Index(target, key, false);
    }

    private JqNode ParsePrimary()
    {
        Enter();
        var result = ParsePrimaryLevel();
        _depth--;
        return result;
    }

    private JqNode ParsePrimaryLevel()
    {
        Skip();
        if (_pos >= _text.Length)
        {
            throw Error("unexpected end of expression");
        }

        var c = _text[_pos];
        if (c == '.')
        {
            if (TryTake(".."))
            {
                return new RecurseAll();
            }

            _pos++;
            if (_pos < _text.Length && (char.IsLetter(_text[_pos]) || _text[_pos] is '_' or '"'))
            {
                return FieldAccess(new Identity());
            }

            return new Identity();
        }

        if (c == '"')
        {
            return ParseStringTemplate();
        }

        if (char.IsAsciiDigit(c))
        {
            var start = _pos;
            while (_pos < _text.Length && (char.IsAsciiDigit(_text[_pos]) || _text[_pos] is '.' or 'e' or 'E' || (_text[_pos] is '+' or '-' && _text[_pos - 1] is 'e' or 'E')))
            {
                _pos++;
            }

            return double.TryParse(_text.AsSpan(start, _pos - start), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
                ? new Literal(JsonValue.Create(number))
                : throw Error($"'{_text[start.._pos]}' is not a finite number");
        }

        if (c == '(')
        {
            _pos++;
            var inner = ParsePipe();
            Expect(")");
            return inner;
        }

        if (c == '[')
        {
            _pos++;
            if (TryTake("]"))
            {
                return new ArrayConstruction(null);
            }

            var body = ParsePipe();
            Expect("]");
            return new ArrayConstruction(body);
        }

        if (c == '{')
        {
            return ParseObject();
        }

        if (c == '$')
        {
            return new Variable(ParseVariableName());
        }

        if (char.IsLetter(c) || c == '_')
        {
            var name = ReadIdentifier();
            switch (name)
            {
                case "true": return new Literal(JsonValue.Create(true));
                case "false": return new Literal(JsonValue.Create(false));
                case "null": return new Literal(null);
                case "if": return ParseIf();
                case "try":
                {
                    var body = ParsePostfix();
                    var handler = Keyword("catch") ? ParsePostfix() : null;
                    return new TryCatch(body, handler);
                }

                case "reduce":
                {
                    var source = ParsePostfix();
                    if (!Keyword("as"))
                    {
                        throw Error("expected 'as' after reduce's source");
                    }

                    var variable = ParseVariableName();
                    Expect("(");
                    var init = ParsePipe();
                    Expect(";");
                    var update = ParsePipe();
                    Expect(")");
                    return new Reduce(source, variable, init, update);
                }
            }

            var arguments = new List<JqNode>();
            if (TryTake("("))
            {
                arguments.Add(ParsePipe());
                while (TryTake(";"))
                {
                    arguments.Add(ParsePipe());
                }

                Expect(")");
            }

            return new Call(name, arguments);
        }

        throw Error($"unexpected '{c}'");
    }

    private IfThenElse ParseIf()
    {
        var condition = ParsePipe();
        if (!Keyword("then"))
        {
            throw Error("expected 'then'");
        }

        var then = ParsePipe();
        JqNode? otherwise = null;
        if (Keyword("elif"))
        {
            Enter();
            otherwise = ParseIf();
            _depth--;
            return new IfThenElse(condition, then, otherwise);
        }

        if (Keyword("else"))
        {
            otherwise = ParsePipe();
        }

        if (!Keyword("end"))
        {
            throw Error("expected 'end'");
        }

        return new IfThenElse(condition, then, otherwise);
    }

    private ObjectConstruction ParseObject()
    {
        Expect("{");
        var entries = new List<(JqNode, JqNode?)>();
        Skip();
        if (TryTake("}"))
        {
            return new ObjectConstruction(entries);
        }

        do
        {
            Skip();
            JqNode key;
            if (Peek("("))
            {
                _pos++;
                key = ParsePipe();
                Expect(")");
            }
            else if (Peek("\""))
            {
                key = ParseStringTemplate();
            }
            else if (Peek("$"))
            {
                var variable = ParseVariableName();
                entries.Add((new Literal(JsonValue.Create(variable)), new Variable(variable)));
                continue;
            }
            else
            {
                var name = ReadIdentifier();
                if (name.Length == 0)
                {
                    throw Error("expected an object key");
                }

                key = new Literal(JsonValue.Create(name));
            }

            JqNode? value = null;
            if (TryTake(":"))
            {
                value = ParseObjectValue();
            }
            else if (key is not Literal)
            {
                throw Error("a computed key needs ': value'");
            }

            entries.Add((key, value));
        }
        while (TryTake(","));

        Expect("}");
        return new ObjectConstruction(entries);
    }

    /// <summary>An object value binds tighter than ',' (which separates entries): a pipe of alternatives.</summary>
    private JqNode ParseObjectValue()
    {
        var left = ParseAlternative();
        if (!TryTake("|"))
        {
            return left;
        }

        Enter();
        var right = ParseObjectValue();
        _depth--;
        return new Pipe(left, right);
    }

    private StringTemplate ParseStringTemplate()
    {
        Expect("\"");
        var parts = new List<object>();
        var text = new StringBuilder();
        while (true)
        {
            if (_pos >= _text.Length)
            {
                throw Error("unterminated string");
            }

            var c = _text[_pos++];
            if (c == '"')
            {
                break;
            }

            if (c != '\\')
            {
                text.Append(c);
                continue;
            }

            if (_pos >= _text.Length)
            {
                throw Error("unterminated string");
            }

            var escape = _text[_pos++];
            switch (escape)
            {
                case '(':
                    if (text.Length > 0)
                    {
                        parts.Add(text.ToString());
                        text.Clear();
                    }

                    parts.Add(ParsePipe());
                    Expect(")");
                    break;
                case 'n': text.Append('\n'); break;
                case 't': text.Append('\t'); break;
                case 'r': text.Append('\r'); break;
                case 'u':
                    if (_pos + 4 > _text.Length || !int.TryParse(_text.AsSpan(_pos, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                    {
                        throw Error("\\u takes four hexadecimal digits");
                    }

                    text.Append((char)code);
                    _pos += 4;
                    break;
                default: text.Append(escape); break;
            }
        }

        if (text.Length > 0 || parts.Count == 0)
        {
            parts.Add(text.ToString());
        }

        return new StringTemplate(parts);
    }

    private string ReadString()
    {
        var template = ParseStringTemplate();
        return template.Parts.Count == 1 && template.Parts[0] is string s ? s : throw Error("a field name cannot be interpolated");
    }

    private string ParseVariableName()
    {
        Skip();
        if (!TryTake("$"))
        {
            throw Error("expected a $variable");
        }

        var name = ReadIdentifier();
        return name.Length > 0 ? name : throw Error("expected a variable name");
    }

    private string ReadIdentifier()
    {
        Skip();
        var start = _pos;
        while (_pos < _text.Length && (char.IsLetterOrDigit(_text[_pos]) || _text[_pos] == '_'))
        {
            _pos++;
        }

        return _text[start.._pos];
    }

    private bool Keyword(string keyword)
    {
        Skip();
        if (_text.AsSpan(_pos).StartsWith(keyword, StringComparison.Ordinal)
            && (_pos + keyword.Length == _text.Length || !(char.IsLetterOrDigit(_text[_pos + keyword.Length]) || _text[_pos + keyword.Length] == '_')))
        {
            _pos += keyword.Length;
            return true;
        }

        return false;
    }

    private void Skip()
    {
        while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos]))
        {
            _pos++;
        }
    }

    private bool Peek(string token)
    {
        Skip();
        return _text.AsSpan(_pos).StartsWith(token, StringComparison.Ordinal);
    }

    private bool TryTake(string token)
    {
        if (Peek(token))
        {
            _pos += token.Length;
            return true;
        }

        return false;
    }

    private void Expect(string token)
    {
        if (!TryTake(token))
        {
            throw Error($"expected '{token}'");
        }
    }

    private JqException Error(string message) => new($"jq syntax error at position {_pos}: {message}");
}
