using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace IoTOwnerBot.Cards.Templating;

/// <summary>Thrown while parsing or evaluating one expression; the template layer adds template name and location.</summary>
internal sealed class ExpressionException(string message) : Exception(message);

/// <summary>A path that does not resolve. Kept apart so <c>exists()</c> can turn it into <c>false</c>.</summary>
internal sealed class MissingPathException(string path) : Exception($"path '{path}' does not resolve in the data")
{
    public string Path { get; } = path;
}

/// <summary>
/// Abstract syntax of the Adaptive Expressions subset our cards use. <see cref="ToString"/> gives the
/// source form, used in error messages.
/// </summary>
internal abstract record Expr;

internal sealed record ConstantExpr(JsonNode? Value, string Source) : Expr
{
    public override string ToString() => Source;
}

/// <summary>A bare identifier: <c>$root</c>, <c>$data</c>, <c>$index</c> or a property of the current <c>$data</c>.</summary>
internal sealed record IdentifierExpr(string Name) : Expr
{
    public override string ToString() => Name;
}

internal sealed record MemberExpr(Expr Target, string Name) : Expr
{
    public override string ToString() => $"{Target}.{Name}";
}

internal sealed record IndexExpr(Expr Target, Expr Index) : Expr
{
    public override string ToString() => $"{Target}[{Index}]";
}

internal sealed record CallExpr(string Function, IReadOnlyList<Expr> Arguments) : Expr
{
    public override string ToString() => $"{Function}({string.Join(", ", Arguments)})";
}

internal sealed record ArrayExpr(IReadOnlyList<Expr> Items) : Expr
{
    public override string ToString() => $"[{string.Join(", ", Items)}]";
}

internal sealed record ObjectExpr(IReadOnlyList<KeyValuePair<string, Expr>> Properties) : Expr
{
    public override string ToString() => "{" + string.Join(", ", Properties.Select(p => $"{p.Key}: {p.Value}")) + "}";
}

internal sealed record UnaryExpr(string Operator, Expr Operand) : Expr
{
    public override string ToString() => $"{Operator}{Operand}";
}

internal sealed record BinaryExpr(string Operator, Expr Left, Expr Right) : Expr
{
    public override string ToString() => $"{Left} {Operator} {Right}";
}

/// <summary>
/// Recursive-descent parser for the expression inside <c>${…}</c>. It follows the Adaptive Expressions grammar
/// (adaptive-expressions, ExpressionAntlrParser.g4) for the parts we support and rejects the rest with a clear
/// message, so an unsupported construct fails when the template is loaded, not when a card is sent.
/// </summary>
internal sealed class ExpressionParser
{
    private readonly string _text;
    private int _pos;

    private ExpressionParser(string text, int start)
    {
        _text = text;
        _pos = start;
    }

    /// <summary>Parses an expression starting at <paramref name="start"/>; stops before the closing <c>}</c>.</summary>
    public static Expr ParseEmbedded(string text, int start, out int end)
    {
        var parser = new ExpressionParser(text, start);
        var expr = parser.ParseOr();
        parser.SkipWhitespace();
        if (parser._pos >= text.Length || text[parser._pos] != '}')
        {
            throw new ExpressionException(parser._pos >= text.Length
                ? "missing closing '}'"
                : $"unexpected '{text[parser._pos]}' at offset {parser._pos - start}");
        }

        end = parser._pos;
        return expr;
    }

    private Expr ParseOr()
    {
        var left = ParseAnd();
        while (TryOperator("||"))
        {
            left = new BinaryExpr("||", left, ParseAnd());
        }

        return left;
    }

    private Expr ParseAnd()
    {
        var left = ParseRelational();
        while (TryOperator("&&"))
        {
            left = new BinaryExpr("&&", left, ParseRelational());
        }

        return left;
    }

    // Adaptive Expressions binds == and != tighter than < and >; we keep that order.
    private Expr ParseRelational()
    {
        var left = ParseEquality();
        while (true)
        {
            var op = TryOperator("<=") ? "<=" : TryOperator(">=") ? ">=" : TryOperator("<") ? "<" : TryOperator(">") ? ">" : null;
            if (op is null)
            {
                return left;
            }

            left = new BinaryExpr(op, left, ParseEquality());
        }
    }

    private Expr ParseEquality()
    {
        var left = ParseUnary();
        while (true)
        {
            var op = TryOperator("==") ? "==" : TryOperator("!=") ? "!=" : null;
            if (op is null)
            {
                return left;
            }

            left = new BinaryExpr(op, left, ParseUnary());
        }
    }

    private Expr ParseUnary()
    {
        SkipWhitespace();
        if (Peek() == '!' && PeekAt(1) != '=')
        {
            _pos++;
            return new UnaryExpr("!", ParseUnary());
        }

        if (Peek() == '-' && _pos + 1 < _text.Length && char.IsAsciiDigit(_text[_pos + 1]))
        {
            _pos++;
            var number = ParseNumber();
            return new ConstantExpr(JsonValue.Create(-number.Value!.GetValue<double>()), "-" + number.Source);
        }

        var primary = ParsePostfix();
        SkipWhitespace();
        if (_pos < _text.Length && "+-*/%^&?".Contains(_text[_pos], StringComparison.Ordinal)
            && !(PeekAt(0) == '&' && PeekAt(1) == '&'))
        {
            throw new ExpressionException($"operator '{_text[_pos]}' is not supported in card templates; use a function (concat, if, …)");
        }

        return primary;
    }

    private Expr ParsePostfix()
    {
        var expr = ParsePrimary();
        while (true)
        {
            SkipWhitespace();
            var c = Peek();
            if (c == '.')
            {
                _pos++;
                SkipWhitespace();
                expr = new MemberExpr(expr, ReadIdentifier() ?? throw new ExpressionException("expected a property name after '.'"));
            }
            else if (c == '[')
            {
                _pos++;
                var index = ParseOr();
                Expect(']');
                expr = new IndexExpr(expr, index);
            }
            else if (c == '(')
            {
                if (expr is not IdentifierExpr function)
                {
                    throw new ExpressionException($"'{expr}' is not a function name");
                }

                _pos++;
                var args = ParseList(')');
                if (!TemplateFunctions.IsKnown(function.Name))
                {
                    throw new ExpressionException($"unknown function '{function.Name}'");
                }

                TemplateFunctions.CheckArity(function.Name, args.Count);
                expr = new CallExpr(function.Name, args);
            }
            else
            {
                return expr;
            }
        }
    }

    private Expr ParsePrimary()
    {
        SkipWhitespace();
        var c = Peek();
        switch (c)
        {
            case '\0':
                throw new ExpressionException("expression ends unexpectedly");
            case '(':
                {
                    _pos++;
                    var inner = ParseOr();
                    Expect(')');
                    return inner;
                }

            case '[':
                _pos++;
                return new ArrayExpr(ParseList(']'));
            case '{':
                return ParseObject();
            case '\'' or '"':
                return ParseString();
            case '`':
                throw new ExpressionException("nested string interpolation (`…`) is not supported in card templates");
        }

        if (char.IsAsciiDigit(c))
        {
            return ParseNumber();
        }

        var name = ReadIdentifier() ?? throw new ExpressionException($"unexpected '{c}'");
        return name switch
        {
            "true" => new ConstantExpr(JsonValue.Create(true), name),
            "false" => new ConstantExpr(JsonValue.Create(false), name),
            "null" => new ConstantExpr(null, name),
            _ => new IdentifierExpr(name),
        };
    }

    private ObjectExpr ParseObject()
    {
        Expect('{');
        var props = new List<KeyValuePair<string, Expr>>();
        SkipWhitespace();
        if (Peek() == '}')
        {
            _pos++;
            return new ObjectExpr(props);
        }

        while (true)
        {
            SkipWhitespace();
            string key;
            if (Peek() is '\'' or '"')
            {
                key = ((ConstantExpr)ParseString()).Value!.GetValue<string>();
            }
            else
            {
                key = ReadIdentifier() ?? throw new ExpressionException("expected a property name in an object literal");
            }

            Expect(':');
            props.Add(new(key, ParseOr()));
            SkipWhitespace();
            if (Peek() == ',')
            {
                _pos++;
                continue;
            }

            Expect('}');
            return new ObjectExpr(props);
        }
    }

    private List<Expr> ParseList(char close)
    {
        var items = new List<Expr>();
        SkipWhitespace();
        if (Peek() == close)
        {
            _pos++;
            return items;
        }

        while (true)
        {
            items.Add(ParseOr());
            SkipWhitespace();
            if (Peek() == ',')
            {
                _pos++;
                continue;
            }

            Expect(close);
            return items;
        }
    }

    private ConstantExpr ParseString()
    {
        var start = _pos;
        var quote = _text[_pos++];
        var sb = new StringBuilder();
        while (true)
        {
            if (_pos >= _text.Length)
            {
                throw new ExpressionException("unterminated string literal");
            }

            var c = _text[_pos++];
            if (c == quote)
            {
                break;
            }

            if (c == '\\' && _pos < _text.Length)
            {
                var next = _text[_pos++];
                sb.Append(next switch
                {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    _ => next,
                });
                continue;
            }

            sb.Append(c);
        }

        return new ConstantExpr(JsonValue.Create(sb.ToString()), _text[start.._pos]);
    }

    private ConstantExpr ParseNumber()
    {
        var start = _pos;
        while (_pos < _text.Length && char.IsAsciiDigit(_text[_pos]))
        {
            _pos++;
        }

        if (_pos + 1 < _text.Length && _text[_pos] == '.' && char.IsAsciiDigit(_text[_pos + 1]))
        {
            _pos++;
            while (_pos < _text.Length && char.IsAsciiDigit(_text[_pos]))
            {
                _pos++;
            }
        }

        var source = _text[start.._pos];
        return new ConstantExpr(JsonValue.Create(double.Parse(source, CultureInfo.InvariantCulture)), source);
    }

    private string? ReadIdentifier()
    {
        var start = _pos;
        if (_pos >= _text.Length)
        {
            return null;
        }

        var c = _text[_pos];
        if (!(char.IsAsciiLetter(c) || c is '_' or '#' or '@' or '$' or '%'))
        {
            return null;
        }

        _pos++;
        while (_pos < _text.Length && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] == '_'))
        {
            _pos++;
        }

        return _text[start.._pos];
    }

    private bool TryOperator(string op)
    {
        SkipWhitespace();
        if (string.CompareOrdinal(_text, _pos, op, 0, op.Length) != 0)
        {
            return false;
        }

        // '<' must not swallow the start of '<=' and '!' must not be read as '!='.
        if (op.Length == 1 && _pos + 1 < _text.Length && _text[_pos + 1] == '=')
        {
            return false;
        }

        _pos += op.Length;
        return true;
    }

    private void Expect(char c)
    {
        SkipWhitespace();
        if (Peek() != c)
        {
            throw new ExpressionException(_pos >= _text.Length ? $"expected '{c}' but the expression ended" : $"expected '{c}' but found '{_text[_pos]}'");
        }

        _pos++;
    }

    private char Peek() => _pos < _text.Length ? _text[_pos] : '\0';

    private char PeekAt(int offset) => _pos + offset < _text.Length ? _text[_pos + offset] : '\0';

    private void SkipWhitespace()
    {
        while (_pos < _text.Length && _text[_pos] is ' ' or '\t' or '\r' or '\n' or '\ufeff' or '\u00a0')
        {
            _pos++;
        }
    }
}
