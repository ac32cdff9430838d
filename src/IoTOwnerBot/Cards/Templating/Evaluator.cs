using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IoTOwnerBot.Cards.Templating;

/// <summary>A lambda variable (<c>x</c> in <c>where(items, x, x.on)</c>), innermost first.</summary>
internal sealed record Local(string Name, JsonNode? Value, Local? Next);

/// <summary>What every evaluation of one render shares: <c>$root</c>, <c>$host</c> and the clock.</summary>
internal sealed record RenderEnvironment(JsonNode? Root, JsonNode? Host, TimeProvider Time);

/// <summary>The evaluation scope: the current <c>$data</c>, <c>$index</c> inside a repetition, lambda variables.</summary>
internal readonly record struct Scope(RenderEnvironment Env, JsonNode? Data, int? Index, Local? Locals = null)
{
    public JsonNode? Root => Env.Root;
}

/// <summary>
/// Evaluates expressions over System.Text.Json nodes with the semantics of Adaptive Expressions (adaptive-expressions
/// 4.x in JavaScript): a path that does not resolve is null, property names match case-insensitively, numbers are
/// IEEE doubles printed as JavaScript prints them. Values returned may be nodes of the data: they are never modified,
/// and callers copy them (<see cref="Detach"/>) before attaching them anywhere.
/// </summary>
internal static class Evaluator
{
    /// <summary>Deepest evaluation recursion (expression nesting plus nested data walked by functions).</summary>
    public const int MaxDepth = 256;

    /// <summary>The engine version <c>$_acTemplateVersion</c> reports: the adaptivecards-templating release we follow.</summary>
    private static readonly JsonObject TemplateVersion = new() { ["major"] = 2, ["minor"] = 3, ["patch"] = 1, ["suffix"] = "" };

    [ThreadStatic]
    private static int _depth;

    public static JsonNode? Evaluate(Expr expr, in Scope scope)
    {
        if (++_depth > MaxDepth)
        {
            _depth = 0;
            throw new ExpressionException($"evaluation nested deeper than {MaxDepth} levels");
        }

        try
        {
            return EvaluateCore(expr, scope);
        }
        finally
        {
            _depth--;
        }
    }

    private static JsonNode? EvaluateCore(Expr expr, in Scope scope)
    {
        switch (expr)
        {
            case ConstantExpr c:
                return c.Value;
            case IdentifierExpr id:
                return Resolve(id.Name, scope);
            case MemberExpr m:
                return Property(Evaluate(m.Target, scope), m.Name);
            case IndexExpr ix:
                {
                    var target = Evaluate(ix.Target, scope);
                    var index = Evaluate(ix.Index, scope);
                    if (IsString(index))
                    {
                        // As in JavaScript, list['0'] is the list's first item.
                        return target is JsonArray items && int.TryParse(index!.GetValue<string>(), NumberStyles.None, CultureInfo.InvariantCulture, out var at)
                            ? at < items.Count ? items[at] : null
                            : Property(target, index!.GetValue<string>());
                    }

                    if (IsNumber(index) && IsInteger(ToNumber(index!)))
                    {
                        if (target is null)
                        {
                            return null;
                        }

                        if (target is not JsonArray array)
                        {
                            throw new ExpressionException($"{ix.Target} is not a collection");
                        }

                        var i = ToNumber(index!);
                        return i >= 0 && i < array.Count
                            ? array[(int)i]
                            : throw new ExpressionException($"path '{ix}' is out of range: the list has {array.Count} item(s)");
                    }

                    throw new ExpressionException($"could not coerce {ix.Index} to an int or string");
                }

            case CallExpr call:
                return call.Function.Invoke(call, scope);
            case ArrayExpr arr:
                {
                    var result = new JsonArray();
                    foreach (var item in arr.Items)
                    {
                        result.Add(Detach(Evaluate(item, scope)));
                    }

                    return result;
                }

            case ObjectExpr obj:
                {
                    var result = new JsonObject();
                    foreach (var (key, valueExpr) in obj.Properties)
                    {
                        result[key] = Detach(Evaluate(valueExpr, scope));
                    }

                    return result;
                }

            default:
                throw new ExpressionException($"unsupported expression '{expr}'");
        }
    }

    /// <summary>Whether <paramref name="expr"/> is a property path (<c>a.b[0]['c']</c>), whose absence the template layer reports.</summary>
    public static bool IsPath(Expr expr) => expr switch
    {
        IdentifierExpr => true,
        MemberExpr m => IsPath(m.Target),
        IndexExpr ix => IsPath(ix.Target),
        _ => false,
    };

    /// <summary>Whether every step of a path resolves (to any value, null included).</summary>
    public static bool PathResolves(Expr expr, in Scope scope)
    {
        switch (expr)
        {
            case IdentifierExpr id:
                return id.Name switch
                {
                    "$root" or "$data" or "$_acTemplateVersion" => true,
                    "$index" => scope.Index is not null,
                    "$host" => scope.Env.Host is not null,
                    _ => FindLocal(scope.Locals, id.Name, out _) || TryProperty(scope.Data, id.Name, out _),
                };
            case MemberExpr m:
                return PathResolves(m.Target, scope) && TryProperty(Evaluate(m.Target, scope), m.Name, out _);
            case IndexExpr ix:
                {
                    if (!PathResolves(ix.Target, scope))
                    {
                        return false;
                    }

                    var target = Evaluate(ix.Target, scope);
                    var index = Evaluate(ix.Index, scope);
                    if (IsString(index) && target is JsonArray items && int.TryParse(index!.GetValue<string>(), NumberStyles.None, CultureInfo.InvariantCulture, out var at))
                    {
                        return at < items.Count;
                    }

                    return IsString(index)
                        ? TryProperty(target, index!.GetValue<string>(), out _)
                        : target is JsonArray a && IsNumber(index) && ToNumber(index!) >= 0 && ToNumber(index!) < a.Count;
                }

            default:
                return true;
        }
    }

    private static JsonNode? Resolve(string name, in Scope scope)
    {
        if (FindLocal(scope.Locals, name, out var local))
        {
            return local;
        }

        return name switch
        {
            "$root" => scope.Root,
            "$data" => scope.Data,
            "$index" => scope.Index is { } i ? JsonValue.Create((double)i) : null,
            "$host" => scope.Env.Host,
            "$_acTemplateVersion" => TemplateVersion,
            _ when name.StartsWith('$') => null,
            _ => Property(scope.Data, name),
        };
    }

    private static bool FindLocal(Local? locals, string name, out JsonNode? value)
    {
        for (var l = locals; l is not null; l = l.Next)
        {
            if (l.Name == name)
            {
                value = l.Value;
                return true;
            }
        }

        value = null;
        return false;
    }

    /// <summary>A property of an object, matched case-insensitively (the first key that matches, as adaptive-expressions); null otherwise.</summary>
    public static JsonNode? Property(JsonNode? target, string name) => TryProperty(target, name, out var value) ? value : null;

    private static bool TryProperty(JsonNode? target, string name, out JsonNode? value)
    {
        if (target is JsonObject obj)
        {
            foreach (var (key, v) in obj)
            {
                if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
                {
                    value = v;
                    return true;
                }
            }
        }

        value = null;
        return false;
    }

    /// <summary>A node that can be attached to a new parent: the node itself when it has none, else a copy.</summary>
    public static JsonNode? Detach(JsonNode? node) => node is null ? null : node.Parent is null ? node : node.DeepClone();

    /// <summary>
    /// Writes a value into the rendered card, with every number as the double JavaScript would hold
    /// (so <c>12345678901234567890</c> reads as <c>12345678901234567000</c>, as in the official engine).
    /// A non-finite number, or a value that would nest the card deeper than <paramref name="maxDepth"/>, is an error.
    /// </summary>
    public static void WriteOutput(Utf8JsonWriter writer, JsonNode? node, int maxDepth)
    {
        switch (node)
        {
            case null:
                writer.WriteNullValue();
                return;
            case JsonArray array:
                CheckOutputDepth(writer, maxDepth);
                writer.WriteStartArray();
                foreach (var item in array)
                {
                    WriteOutput(writer, item, maxDepth);
                }

                writer.WriteEndArray();
                return;
            case JsonObject obj:
                CheckOutputDepth(writer, maxDepth);
                writer.WriteStartObject();
                foreach (var (key, value) in obj)
                {
                    writer.WritePropertyName(key);
                    WriteOutput(writer, value, maxDepth);
                }

                writer.WriteEndObject();
                return;
            default:
                if (node.GetValueKind() != JsonValueKind.Number)
                {
                    node.WriteTo(writer);
                    return;
                }

                var d = ToNumber(node);
                if (!double.IsFinite(d))
                {
                    throw new ExpressionException($"the value is {FormatNumber(d)}, not a finite number, and cannot be placed in a card");
                }

                writer.WriteNumberValue(d);
                return;
        }
    }

    private static void CheckOutputDepth(Utf8JsonWriter writer, int maxDepth)
    {
        if (writer.CurrentDepth >= maxDepth)
        {
            throw new ExpressionException($"the value would nest the card deeper than {maxDepth} levels");
        }
    }

    public static JsonValueKind JsonKind(JsonNode? node) => node?.GetValueKind() ?? JsonValueKind.Null;

    public static bool IsString(JsonNode? node) => node is JsonValue && node.GetValueKind() == JsonValueKind.String;

    public static bool IsNumber(JsonNode? node) => node is JsonValue && node.GetValueKind() == JsonValueKind.Number;

    public static bool IsBoolean(JsonNode? node) => node is JsonValue && node.GetValueKind() is JsonValueKind.True or JsonValueKind.False;

    public static bool IsInteger(double d) => double.IsFinite(d) && Math.Floor(d) == d;

    /// <summary>Adaptive Expressions truthiness: booleans are themselves, null is false, anything else (0 and '' too) is true.</summary>
    public static bool IsTrue(JsonNode? node) => JsonKind(node) switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False or JsonValueKind.Null => false,
        _ => true,
    };

    public static double ToNumber(JsonNode node)
    {
        if (node is JsonValue v && v.TryGetValue<double>(out var d))
        {
            return d;
        }

        return double.Parse(node.ToJsonString(), CultureInfo.InvariantCulture);
    }

    public static JsonValue Number(double d) => JsonValue.Create(d);

    public static JsonValue Text(string s) => JsonValue.Create(s);

    public static JsonValue Bool(bool b) => JsonValue.Create(b);

    /// <summary>adaptive-expressions' equality: null equals only null, lists and objects compare deeply, numbers within epsilon.</summary>
    public static bool ValuesEqual(JsonNode? a, JsonNode? b)
    {
        var ka = JsonKind(a);
        var kb = JsonKind(b);
        if (ka == JsonValueKind.Null || kb == JsonValueKind.Null)
        {
            return ka == kb;
        }

        if (ka == JsonValueKind.Number && kb == JsonValueKind.Number)
        {
            var x = ToNumber(a!);
            var y = ToNumber(b!);
            return x == y || Math.Abs(x - y) < double.Epsilon * 0 + 2.220446049250313e-16;
        }

        return StrictEqual(a, b, 0);
    }

    private static bool StrictEqual(JsonNode? a, JsonNode? b, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ExpressionException($"values nested deeper than {MaxDepth} levels");
        }

        var ka = JsonKind(a);
        var kb = JsonKind(b);
        if (ka != kb && !(ka is JsonValueKind.True or JsonValueKind.False && kb is JsonValueKind.True or JsonValueKind.False))
        {
            return false;
        }

        switch (ka)
        {
            case JsonValueKind.Null:
                return true;
            case JsonValueKind.True or JsonValueKind.False:
                return ka == kb;
            case JsonValueKind.Number:
                return ToNumber(a!) == ToNumber(b!);
            case JsonValueKind.String:
                return string.Equals(a!.GetValue<string>(), b!.GetValue<string>(), StringComparison.Ordinal);
            case JsonValueKind.Array:
                {
                    var x = (JsonArray)a!;
                    var y = (JsonArray)b!;
                    if (x.Count != y.Count)
                    {
                        return false;
                    }

                    for (var i = 0; i < x.Count; i++)
                    {
                        if (!StrictEqual(x[i], y[i], depth + 1))
                        {
                            return false;
                        }
                    }

                    return true;
                }

            default:
                {
                    var x = (JsonObject)a!;
                    var y = (JsonObject)b!;
                    return x.Count == y.Count && x.All(p => y.TryGetPropertyValue(p.Key, out var other) && StrictEqual(p.Value, other, depth + 1));
                }
        }
    }

    /// <summary>
    /// JavaScript's <c>value.toString()</c>, which the official engine uses for each <c>${…}</c> in text: arrays join
    /// their items with commas. Null and objects are errors here (the official engine prints <c>${…}</c> or
    /// <c>[object Object]</c>, a broken card).
    /// </summary>
    public static string ToInterpolatedText(JsonNode? node)
    {
        switch (JsonKind(node))
        {
            case JsonValueKind.String:
                return node!.GetValue<string>();
            case JsonValueKind.Number:
                return FormatNumber(ToNumber(node!));
            case JsonValueKind.True:
                return "true";
            case JsonValueKind.False:
                return "false";
            case JsonValueKind.Null:
                throw new ExpressionException("the value is null and cannot be placed in text; guard it with $when, if(), exists() or coalesce()");
            case JsonValueKind.Array:
                {
                    var sb = new StringBuilder();
                    AppendArrayText(sb, (JsonArray)node!, 0);
                    return sb.ToString();
                }

            default:
                throw new ExpressionException("the value is an object and cannot be placed in text (it would read [object Object]); use string() or json()");
        }
    }

    private static void AppendArrayText(StringBuilder sb, JsonArray array, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ExpressionException($"values nested deeper than {MaxDepth} levels");
        }

        for (var i = 0; i < array.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            switch (array[i])
            {
                case null:
                    break;
                case JsonArray inner:
                    AppendArrayText(sb, inner, depth + 1);
                    break;
                case JsonObject:
                    throw new ExpressionException("the list holds an object and cannot be placed in text (it would read [object Object]); use string() or join(select(…))");
                default:
                    sb.Append(ToInterpolatedText(array[i]));
                    break;
            }
        }
    }

    /// <summary>
    /// ECMAScript Number::toString(10): the shortest digits that round-trip (from .NET's shortest round-trip
    /// formatting), laid out with JavaScript's rules: plain digits from 1e-7 to below 1e21, else an exponent
    /// written <c>1e+21</c>, <c>1.5e-7</c>.
    /// </summary>
    public static string FormatNumber(double d)
    {
        if (double.IsNaN(d))
        {
            return "NaN";
        }

        if (double.IsInfinity(d))
        {
            return d > 0 ? "Infinity" : "-Infinity";
        }

        if (d == 0)
        {
            return "0";
        }

        if (Math.Abs(d) < 1e15 && d == Math.Floor(d))
        {
            return ((long)d).ToString(CultureInfo.InvariantCulture);
        }

        // "R" gives the shortest round-trip digits as d.ddddE±x or plain; normalise to digits and a decimal exponent.
        var r = Math.Abs(d).ToString("R", CultureInfo.InvariantCulture);
        var exponent = 0;
        var e = r.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(r.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            r = r[..e];
        }

        var dot = r.IndexOf('.', StringComparison.Ordinal);
        var intLength = dot < 0 ? r.Length : dot;
        var digits = dot < 0 ? r : r.Remove(dot, 1);
        var leading = 0;
        while (leading < digits.Length - 1 && digits[leading] == '0')
        {
            leading++;
        }

        digits = digits[leading..].TrimEnd('0');
        if (digits.Length == 0)
        {
            digits = "0";
        }

        // value = 0.digits × 10^n
        var n = intLength - leading + exponent;
        var k = digits.Length;
        var sb = new StringBuilder(32);
        if (d < 0)
        {
            sb.Append('-');
        }

        if (k <= n && n <= 21)
        {
            sb.Append(digits).Append('0', n - k);
        }
        else if (0 < n && n <= 21)
        {
            sb.Append(digits, 0, n).Append('.').Append(digits, n, k - n);
        }
        else if (-6 < n && n <= 0)
        {
            sb.Append("0.").Append('0', -n).Append(digits);
        }
        else
        {
            sb.Append(digits[0]);
            if (k > 1)
            {
                sb.Append('.').Append(digits, 1, k - 1);
            }

            sb.Append('e').Append(n - 1 >= 0 ? '+' : '-').Append(Math.Abs(n - 1).ToString(CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }

    /// <summary>
    /// Serializes like JavaScript's JSON.stringify (no added escapes for '&lt;', '&amp;' or non-ASCII; numbers as
    /// JavaScript prints them), so that <c>string(obj)</c> produces the same text as the official engine.
    /// </summary>
    public static string ToJsonText(JsonNode? node)
    {
        var sb = new StringBuilder();
        WriteJson(sb, node, 0);
        return sb.ToString();
    }

    private static void WriteJson(StringBuilder sb, JsonNode? node, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ExpressionException($"values nested deeper than {MaxDepth} levels");
        }

        switch (JsonKind(node))
        {
            case JsonValueKind.Null:
                sb.Append("null");
                break;
            case JsonValueKind.True:
                sb.Append("true");
                break;
            case JsonValueKind.False:
                sb.Append("false");
                break;
            case JsonValueKind.Number:
                var number = ToNumber(node!);
                sb.Append(double.IsFinite(number) ? FormatNumber(number) : "null");
                break;
            case JsonValueKind.String:
                WriteJsonString(sb, node!.GetValue<string>());
                break;
            case JsonValueKind.Array:
                sb.Append('[');
                var first = true;
                foreach (var item in (JsonArray)node!)
                {
                    if (!first)
                    {
                        sb.Append(',');
                    }

                    first = false;
                    WriteJson(sb, item, depth + 1);
                }

                sb.Append(']');
                break;
            default:
                sb.Append('{');
                var firstProp = true;
                foreach (var (key, value) in (JsonObject)node!)
                {
                    if (!firstProp)
                    {
                        sb.Append(',');
                    }

                    firstProp = false;
                    WriteJsonString(sb, key);
                    sb.Append(':');
                    WriteJson(sb, value, depth + 1);
                }

                sb.Append('}');
                break;
        }
    }

    public static void WriteJsonString(StringBuilder sb, string s)
    {
        sb.Append('"');
        AppendJsonStringContent(sb, s);
        sb.Append('"');
    }

    /// <summary>The characters of a JSON string literal between its quotes, escaped as JavaScript's JSON.stringify does.</summary>
    public static void AppendJsonStringContent(StringBuilder sb, string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            switch (c)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                case '\b':
                    sb.Append("\\b");
                    break;
                case '\f':
                    sb.Append("\\f");
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\r':
                    sb.Append("\\r");
                    break;
                case '\t':
                    sb.Append("\\t");
                    break;
                default:
                    if (c < 0x20 || IsLoneSurrogate(s, i))
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }
    }

    private static bool IsLoneSurrogate(string s, int i)
    {
        var c = s[i];
        if (char.IsHighSurrogate(c))
        {
            return i + 1 >= s.Length || !char.IsLowSurrogate(s[i + 1]);
        }

        return char.IsLowSurrogate(c) && (i == 0 || !char.IsHighSurrogate(s[i - 1]));
    }
}
