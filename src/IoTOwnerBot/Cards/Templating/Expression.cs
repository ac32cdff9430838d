using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace IoTOwnerBot.Cards.Templating;

/// <summary>Thrown while parsing or evaluating one expression; the template layer adds template name and location.</summary>
internal sealed class ExpressionException(string message) : Exception(message);

/// <summary>
/// Abstract syntax of Adaptive Expressions. Operators are calls of their operator function (<c>a + b</c> is
/// <c>+(a, b)</c>, as in adaptive-expressions); <see cref="ToString"/> gives the source form used in error messages.
/// <see cref="Depth"/> is the height of the tree, bounded by <see cref="ExpressionParser.MaxDepth"/>, so evaluating
/// any parsed expression recurses a bounded number of times.
/// </summary>
internal abstract class Expr
{
    public int Depth { get; protected init; } = 1;

    public abstract override string ToString();

    protected static int DepthOf(IEnumerable<Expr> children) => 1 + children.Select(c => c.Depth).DefaultIfEmpty(0).Max();
}

internal sealed class ConstantExpr(JsonNode? value, string source) : Expr
{
    public JsonNode? Value { get; } = value;

    public override string ToString() => source;
}

/// <summary>A bare identifier: <c>$root</c>, <c>$data</c>, <c>$index</c>, <c>$host</c>, a lambda variable or a property of <c>$data</c>.</summary>
internal sealed class IdentifierExpr(string name) : Expr
{
    public string Name { get; } = name;

    public override string ToString() => Name;
}

internal sealed class MemberExpr : Expr
{
    public MemberExpr(Expr target, string name)
    {
        Target = target;
        Name = name;
        Depth = target.Depth + 1;
    }

    public Expr Target { get; }

    public string Name { get; }

    public override string ToString() => $"{Target}.{Name}";
}

internal sealed class IndexExpr : Expr
{
    public IndexExpr(Expr target, Expr index)
    {
        Target = target;
        Index = index;
        Depth = DepthOf([target, index]);
    }

    public Expr Target { get; }

    public Expr Index { get; }

    public override string ToString() => $"{Target}[{Index}]";
}

/// <summary>A function or operator call. <see cref="Function"/> is resolved when parsing, so unknown names fail at load.</summary>
internal sealed class CallExpr : Expr
{
    public CallExpr(string name, TemplateFunction function, Expr[] arguments, string? source = null)
    {
        Name = name;
        Function = function;
        Arguments = arguments;
        Source = source;
        Depth = DepthOf(arguments);
    }

    public string Name { get; }

    public TemplateFunction Function { get; }

    public Expr[] Arguments { get; }

    private string? Source { get; }

    public override string ToString() => Source ?? $"{Name}({string.Join(", ", Arguments.Select(a => a.ToString()))})";
}

internal sealed class ArrayExpr : Expr
{
    public ArrayExpr(Expr[] items)
    {
        Items = items;
        Depth = DepthOf(items);
    }

    public Expr[] Items { get; }

    public override string ToString() => $"[{string.Join(", ", Items.Select(i => i.ToString()))}]";
}

internal sealed class ObjectExpr : Expr
{
    public ObjectExpr(KeyValuePair<string, Expr>[] properties)
    {
        Properties = properties;
        Depth = DepthOf(properties.Select(p => p.Value));
    }

    public KeyValuePair<string, Expr>[] Properties { get; }

    public override string ToString() => "{" + string.Join(", ", Properties.Select(p => $"{p.Key}: {p.Value}")) + "}";
}

/// <summary>
/// Recursive-descent parser for Adaptive Expressions (the grammar of adaptive-expressions 4.x,
/// ExpressionAntlrParser.g4, including lambdas <c>x =&gt; …</c>, <c>??</c> and <c>?:</c>). Precedence, high to low:
/// prefix <c>! - +</c>; <c>^</c> (right-associative); <c>* / %</c>; <c>+ -</c>; <c>== !=</c>; <c>&amp;</c>;
/// <c>&lt; &lt;= &gt; &gt;=</c>; <c>&amp;&amp;</c>; <c>||</c>; <c>??</c>; <c>?:</c>.
/// Unknown functions, wrong argument counts, too-deep nesting and too-long text fail here, at load.
/// </summary>
internal sealed class ExpressionParser
{
    /// <summary>Deepest nesting of an expression (parentheses, calls, operators, prefixes). Deeper is refused.</summary>
    public const int MaxDepth = 100;

    /// <summary>Longest expression text accepted, in characters.</summary>
    public const int MaxLength = 20_000;

    private readonly string _text;
    private int _pos;
    private int _nesting;
    private bool _inlineBackticks;

    private ExpressionParser(string text, int start)
    {
        _text = text;
        _pos = start;
    }

    /// <summary>
    /// Parses the expression of a <c>${…}</c> starting at <paramref name="start"/> (just after <c>${</c>);
    /// <paramref name="end"/> is the index of the closing <c>}</c>.
    /// </summary>
    public static Expr ParseEmbedded(string text, int start, out int end)
    {
        var parser = new ExpressionParser(text, start);
        var expr = parser.ParseExpression(0);
        parser.SkipWhitespace();
        if (parser.Peek() != '}')
        {
            throw new ExpressionException(parser._pos >= text.Length
                ? "missing closing '}'"
                : $"unexpected '{text[parser._pos]}' at position {parser._pos - start + 1}");
        }

        end = parser._pos;
        if (end - start > MaxLength)
        {
            throw new ExpressionException($"the expression is longer than {MaxLength} characters");
        }

        return expr;
    }

    /// <summary>Parses a whole string as one expression.</summary>
    public static Expr Parse(string text)
    {
        var parser = new ExpressionParser(text, 0) { _inlineBackticks = true };
        var expr = parser.ParseExpression(0);
        parser.SkipWhitespace();
        if (parser._pos < text.Length)
        {
            throw new ExpressionException($"unexpected '{text[parser._pos]}' at position {parser._pos + 1}");
        }

        return expr;
    }

    private void Enter()
    {
        if (++_nesting > MaxDepth)
        {
            throw new ExpressionException($"the expression is nested deeper than {MaxDepth} levels");
        }
    }

    private static T Checked<T>(T expr)
        where T : Expr
    {
        if (expr.Depth > MaxDepth)
        {
            throw new ExpressionException($"the expression is nested deeper than {MaxDepth} levels (too many chained operators)");
        }

        return expr;
    }

    private static int Precedence(string op) => op switch
    {
        "^" => 11,
        "*" or "/" or "%" => 10,
        "+" or "-" => 9,
        "==" or "!=" => 8,
        "&" => 7,
        "<" or "<=" or ">" or ">=" => 6,
        "&&" => 5,
        "||" => 4,
        "??" => 3,
        "?" => 2,
        _ => -1,
    };

    private string? PeekBinaryOperator()
    {
        SkipWhitespace();
        var c = Peek();
        var n = PeekAt(1);
        return c switch
        {
            '^' or '*' or '/' or '%' or '+' or '-' => c.ToString(),
            '=' when n == '=' => "==",
            '!' when n == '=' => "!=",
            '<' when n == '>' => "<>",
            '<' when n == '=' => "<=",
            '>' when n == '=' => ">=",
            '<' or '>' => c.ToString(),
            '&' when n == '&' => "&&",
            '&' => "&",
            '|' when n == '|' => "||",
            '?' when n == '?' => "??",
            '?' => "?",
            _ => null,
        };
    }

    private Expr ParseExpression(int minPrecedence)
    {
        Enter();
        var left = ParseUnary();
        while (true)
        {
            var op = PeekBinaryOperator();
            if (op == "<>")
            {
                throw new ExpressionException("'<>' has no evaluator; use '!='");
            }

            if (op is null || Precedence(op) < minPrecedence)
            {
                break;
            }

            var precedence = Precedence(op);
            _pos += op.Length;
            if (op == "?")
            {
                var whenTrue = ParseExpression(0);
                Expect(':');
                var whenFalse = ParseExpression(3);
                left = Checked(Call("if", [left, whenTrue, whenFalse], $"{left} ? {whenTrue} : {whenFalse}"));
                continue;
            }

            var right = ParseExpression(op == "^" ? precedence : precedence + 1);
            left = Checked(Call(op, [left, right], $"{left} {op} {right}"));
        }

        _nesting--;
        return left;
    }

    private Expr ParseUnary()
    {
        SkipWhitespace();
        var c = Peek();
        if (c is '!' or '-' or '+' && !(c == '!' && PeekAt(1) == '='))
        {
            _pos++;
            Enter();
            var operand = ParseUnary();
            _nesting--;
            return Checked(c == '!'
                ? Call("!", [operand], $"!{operand}")
                : Call(c.ToString(), [new ConstantExpr(JsonValue.Create(0d), "0"), operand], $"{c}{operand}"));
        }

        return ParsePostfix();
    }

    private static CallExpr Call(string name, Expr[] args, string? source = null)
    {
        var function = TemplateFunctions.Find(name) ?? throw new ExpressionException($"unknown function '{name}'");
        function.CheckArity(name, args);
        return new CallExpr(name, function, args, source);
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
                expr = Checked(new MemberExpr(expr, ReadIdentifier() ?? throw new ExpressionException("expected a property name after '.'")));
            }
            else if (c == '[')
            {
                _pos++;
                var index = ParseExpression(0);
                Expect(']');
                expr = Checked(new IndexExpr(expr, index));
            }
            else if (c == '(' || (c == '!' && PeekAt(1) == '('))
            {
                var name = FunctionName(expr) + (c == '!' ? "!" : "");
                _pos += c == '!' ? 2 : 1;
                var args = ParseArguments();
                if (TemplateFunctions.Find(name) is null)
                {
                    throw new ExpressionException($"unknown function '{name}'");
                }

                expr = Checked(Call(name, args));
            }
            else
            {
                return expr;
            }
        }
    }

    private static string FunctionName(Expr expr) => expr switch
    {
        IdentifierExpr id => id.Name,
        MemberExpr m => FunctionName(m.Target) + "." + m.Name,
        _ => throw new ExpressionException($"'{expr}' is not a function name"),
    };

    private Expr ParsePrimary()
    {
        SkipWhitespace();
        var c = Peek();
        switch (c)
        {
            case '\0' when _pos >= _text.Length:
                throw new ExpressionException("expression ends unexpectedly");
            case '(':
                {
                    _pos++;
                    var inner = ParseExpression(0);
                    Expect(')');
                    return inner;
                }

            case '[':
                _pos++;
                return Checked(new ArrayExpr(ParseList(']')));
            case '{':
                return Checked(ParseObject());
            case '\'' or '"':
                return ParseString();
            case '`' when _text[.._pos].Contains("${", StringComparison.Ordinal) && !_inlineBackticks:
                // The official engine reads a whole card string as one `…` interpolation, so a backtick inside ${…} ends it.
                throw new ExpressionException("a `…` string cannot be used inside ${…} in a card template; use concat()");
            case '`':
                return Checked(ParseInterpolation());
        }

        if (char.IsAsciiDigit(c))
        {
            return ParseNumber();
        }

        var name = ReadIdentifier() ?? throw new ExpressionException(_pos >= _text.Length ? "expression ends unexpectedly" : $"unexpected '{c}'");
        return name switch
        {
            "true" => new ConstantExpr(JsonValue.Create(true), name),
            "false" => new ConstantExpr(JsonValue.Create(false), name),
            "null" or "undefined" => new ConstantExpr(null, name),
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
            return new ObjectExpr([.. props]);
        }

        while (true)
        {
            SkipWhitespace();
            string key;
            if (Peek() is '\'' or '"')
            {
                // As adaptive-expressions: a quoted key is taken between its quotes, escapes and all.
                var start = _pos;
                ParseString();
                key = _text[(start + 1)..(_pos - 1)];
            }
            else
            {
                key = ReadIdentifier() ?? throw new ExpressionException("expected a property name in an object literal");
            }

            Expect(':');
            var value = ParseExpression(0);
            props.RemoveAll(p => p.Key == key);
            props.Add(new(key, value));
            SkipWhitespace();
            if (Peek() == ',')
            {
                _pos++;
                continue;
            }

            Expect('}');
            return new ObjectExpr([.. props]);
        }
    }

    /// <summary>Arguments of a call; <c>x =&gt; body</c> becomes the two arguments <c>x, body</c>, as in adaptive-expressions.</summary>
    private Expr[] ParseArguments()
    {
        var items = new List<Expr>();
        SkipWhitespace();
        if (Peek() == ')')
        {
            _pos++;
            return [];
        }

        while (true)
        {
            SkipWhitespace();
            var save = _pos;
            var lambdaVariable = ReadIdentifier();
            SkipWhitespace();
            if (lambdaVariable is not null && Peek() == '=' && PeekAt(1) == '>')
            {
                _pos += 2;
                items.Add(new IdentifierExpr(lambdaVariable));
            }
            else
            {
                _pos = save;
            }

            items.Add(ParseExpression(0));
            SkipWhitespace();
            if (Peek() == ',')
            {
                _pos++;
                continue;
            }

            Expect(')');
            return [.. items];
        }
    }

    private Expr[] ParseList(char close)
    {
        var items = new List<Expr>();
        SkipWhitespace();
        if (Peek() == close)
        {
            _pos++;
            return [];
        }

        while (true)
        {
            items.Add(ParseExpression(0));
            SkipWhitespace();
            if (Peek() == ',')
            {
                _pos++;
                continue;
            }

            Expect(close);
            return [.. items];
        }
    }

    /// <summary>
    /// A quoted string. As in adaptive-expressions: a backslash only protects the quote and itself while scanning;
    /// then <c>\'</c> (or <c>\"</c>) becomes the quote and <c>\r \n \t \\</c> their characters; any other
    /// backslash sequence (e.g. <c>\u00e9</c>) is kept as written.
    /// </summary>
    private ConstantExpr ParseString()
    {
        var start = _pos;
        var quote = _text[_pos++];
        var raw = new StringBuilder();
        while (true)
        {
            if (_pos >= _text.Length)
            {
                throw new ExpressionException("unterminated string literal");
            }

            var c = _text[_pos++];
            if (c == '\\' && _pos < _text.Length && (_text[_pos] == quote || _text[_pos] == '\\'))
            {
                raw.Append(c).Append(_text[_pos++]);
                continue;
            }

            if (c == quote)
            {
                break;
            }

            raw.Append(c);
        }

        var text = raw.ToString().Replace("\\" + quote, quote.ToString(), StringComparison.Ordinal);
        return new ConstantExpr(JsonValue.Create(Unescape(text)), _text[start.._pos]);
    }

    public static string Unescape(string text)
    {
        if (!text.Contains('\\', StringComparison.Ordinal))
        {
            return text;
        }

        var sb = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }

            var next = i + 1 < text.Length ? text[i + 1] : '\0';
            if (next is '\r' or '\n' || i + 1 >= text.Length)
            {
                sb.Append(c);
                continue;
            }

            sb.Append(next switch
            {
                'r' => "\r",
                'n' => "\n",
                't' => "\t",
                '\\' => "\\",
                _ => "\\" + next,
            });
            i++;
        }

        return sb.ToString();
    }

    /// <summary>A backtick string inside an expression: <c>`text ${expr} text`</c> is <c>concat('text ', expr, ' text')</c>.</summary>
    private CallExpr ParseInterpolation()
    {
        var open = _pos++;
        var parts = new List<Expr> { new ConstantExpr(JsonValue.Create(""), "''") };
        var literal = new StringBuilder();
        while (true)
        {
            if (_pos >= _text.Length)
            {
                throw new ExpressionException("unterminated `…` string");
            }

            var c = _text[_pos];
            if (c == '`')
            {
                _pos++;
                break;
            }

            if (c == '\\' && _pos + 1 < _text.Length && _text[_pos + 1] is not '\r' and not '\n')
            {
                var next = _text[_pos + 1];
                literal.Append(next is '`' or '$' ? next.ToString() : "\\" + next);
                _pos += 2;
                continue;
            }

            if (c == '$' && PeekAt(1) == '{')
            {
                if (literal.Length > 0)
                {
                    parts.Add(new ConstantExpr(JsonValue.Create(literal.ToString()), "'…'"));
                    literal.Clear();
                }

                _pos += 2;
                Enter();
                var inner = ParseExpression(0);
                _nesting--;
                Expect('}');
                parts.Add(inner);
                continue;
            }

            literal.Append(c);
            _pos++;
        }

        if (literal.Length > 0)
        {
            parts.Add(new ConstantExpr(JsonValue.Create(literal.ToString()), "'…'"));
        }

        return Call("concat", [.. parts], _text[open.._pos]);
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

    /// <summary>IDENTIFIER: (letter | _ | # | @ | @@ | $ | %) (letter | digit | - | _)*; note that <c>a-b</c> is one identifier.</summary>
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
        if (c == '@' && Peek() == '@')
        {
            _pos++;
        }

        while (_pos < _text.Length && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] is '_' or '-'))
        {
            _pos++;
        }

        return _text[start.._pos];
    }

    private void Expect(char c)
    {
        SkipWhitespace();
        if (Peek() != c || _pos >= _text.Length)
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
