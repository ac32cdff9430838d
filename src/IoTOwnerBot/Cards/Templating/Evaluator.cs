using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IoTOwnerBot.Cards.Templating;

/// <summary>The evaluation scope: <c>$root</c>, the current <c>$data</c> and, inside an array repetition, <c>$index</c>.</summary>
internal readonly record struct Scope(JsonNode? Root, JsonNode? Data, int? Index);

/// <summary>
/// Evaluates expressions over System.Text.Json nodes with the semantics of Adaptive Expressions
/// (truthiness, equality, concat and string conversion follow adaptive-expressions 4.x). Differences are
/// deliberate and stricter: a path that does not resolve is an error (the official engine leaves
/// <c>${path}</c> in the card), and so is a null or an object interpolated into text.
/// Values returned may be nodes of the data; callers clone before attaching them to a card.
/// </summary>
internal static class Evaluator
{
    public static JsonNode? Evaluate(Expr expr, in Scope scope)
    {
        switch (expr)
        {
            case ConstantExpr c:
                return c.Value?.DeepClone();
            case IdentifierExpr id:
                return Resolve(id.Name, scope);
            case MemberExpr m:
                {
                    var target = Evaluate(m.Target, scope);
                    return Member(target, m.Name, m);
                }

            case IndexExpr ix:
                {
                    var target = Evaluate(ix.Target, scope);
                    var index = Evaluate(ix.Index, scope);
                    if (JsonKind(index) == JsonValueKind.String)
                    {
                        return Member(target, index!.GetValue<string>(), ix);
                    }

                    if (JsonKind(index) == JsonValueKind.Number && target is JsonArray array)
                    {
                        var i = ToNumber(index!);
                        if (i >= 0 && i < array.Count && i == Math.Floor(i))
                        {
                            return array[(int)i];
                        }
                    }

                    throw new MissingPathException(ix.ToString());
                }

            case CallExpr call:
                return TemplateFunctions.Invoke(call, scope);
            case ArrayExpr arr:
                {
                    var result = new JsonArray();
                    foreach (var item in arr.Items)
                    {
                        result.Add(Evaluate(item, scope)?.DeepClone());
                    }

                    return result;
                }

            case ObjectExpr obj:
                {
                    var result = new JsonObject();
                    foreach (var (key, valueExpr) in obj.Properties)
                    {
                        result[key] = Evaluate(valueExpr, scope)?.DeepClone();
                    }

                    return result;
                }

            case UnaryExpr { Operator: "!" } u:
                return JsonValue.Create(!IsTrue(Evaluate(u.Operand, scope)));
            case BinaryExpr b:
                return EvaluateBinary(b, scope);
            default:
                throw new ExpressionException($"unsupported expression '{expr}'");
        }
    }

    private static JsonValue EvaluateBinary(BinaryExpr b, in Scope scope)
    {
        switch (b.Operator)
        {
            case "&&":
                return JsonValue.Create(IsTrue(Evaluate(b.Left, scope)) && IsTrue(Evaluate(b.Right, scope)));
            case "||":
                return JsonValue.Create(IsTrue(Evaluate(b.Left, scope)) || IsTrue(Evaluate(b.Right, scope)));
            case "==":
                return JsonValue.Create(ValuesEqual(Evaluate(b.Left, scope), Evaluate(b.Right, scope)));
            case "!=":
                return JsonValue.Create(!ValuesEqual(Evaluate(b.Left, scope), Evaluate(b.Right, scope)));
        }

        var left = Evaluate(b.Left, scope);
        var right = Evaluate(b.Right, scope);
        if (JsonKind(left) != JsonValueKind.Number || JsonKind(right) != JsonValueKind.Number)
        {
            throw new ExpressionException($"'{b.Operator}' compares numbers only");
        }

        var l = ToNumber(left!);
        var r = ToNumber(right!);
        return JsonValue.Create(b.Operator switch
        {
            "<" => l < r,
            "<=" => l <= r,
            ">" => l > r,
            _ => l >= r,
        });
    }

    private static JsonNode? Resolve(string name, in Scope scope) => name switch
    {
        "$root" => scope.Root,
        "$data" => scope.Data,
        "$index" => scope.Index is { } i ? JsonValue.Create(i) : throw new ExpressionException("$index is only defined inside a $data array repetition"),
        "$host" or "$_acTemplateVersion" => throw new ExpressionException($"{name} is not supported by IoTOwnerBot's template engine"),
        _ => Member(scope.Data, name, new IdentifierExpr(name)),
    };

    private static JsonNode? Member(JsonNode? target, string name, Expr path)
    {
        if (target is JsonObject obj && obj.TryGetPropertyValue(name, out var value))
        {
            return value;
        }

        throw new MissingPathException(path.ToString());
    }

    public static JsonValueKind JsonKind(JsonNode? node) => node?.GetValueKind() ?? JsonValueKind.Null;

    /// <summary>Adaptive Expressions truthiness: booleans are themselves, null is false, anything else is true.</summary>
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

    public static bool ValuesEqual(JsonNode? a, JsonNode? b)
    {
        var ka = JsonKind(a);
        var kb = JsonKind(b);
        if (ka != kb)
        {
            return false;
        }

        switch (ka)
        {
            case JsonValueKind.Null or JsonValueKind.True or JsonValueKind.False:
                return true;
            case JsonValueKind.Number:
                return ToNumber(a!) == ToNumber(b!);
            case JsonValueKind.String:
                return string.Equals(a!.GetValue<string>(), b!.GetValue<string>(), StringComparison.Ordinal);
            case JsonValueKind.Array:
                {
                    var x = (JsonArray)a!;
                    var y = (JsonArray)b!;
                    return x.Count == y.Count && x.Zip(y).All(p => ValuesEqual(p.First, p.Second));
                }

            default:
                {
                    var x = (JsonObject)a!;
                    var y = (JsonObject)b!;
                    return x.Count == y.Count && x.All(p => y.TryGetPropertyValue(p.Key, out var other) && ValuesEqual(p.Value, other));
                }
        }
    }

    /// <summary>How a value reads inside interpolated text. Null and objects are errors: they would make a broken card.</summary>
    public static string ToInterpolatedText(JsonNode? node) => JsonKind(node) switch
    {
        JsonValueKind.String => node!.GetValue<string>(),
        JsonValueKind.Number => FormatNumber(ToNumber(node!)),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null => throw new ExpressionException("the value is null and cannot be placed in text; guard it with $when, if() or exists()"),
        _ => throw new ExpressionException("the value is an object or array and cannot be placed in text; use string() or json()"),
    };

    /// <summary>JavaScript's Number.prototype.toString for the values cards carry.</summary>
    public static string FormatNumber(double d)
    {
        if (double.IsFinite(d) && d == Math.Floor(d) && Math.Abs(d) < 1e21)
        {
            return d.ToString("F0", CultureInfo.InvariantCulture);
        }

        return d.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e", StringComparison.Ordinal);
    }

    /// <summary>
    /// Serializes like JavaScript's JSON.stringify (no added escapes for '&lt;', '&amp;' or non-ASCII), so that
    /// <c>string(obj)</c> produces the same text as the official engine, e.g. for an <c>Action.Http</c> body.
    /// </summary>
    public static string ToJsonText(JsonNode? node)
    {
        var sb = new StringBuilder();
        WriteJson(sb, node);
        return sb.ToString();
    }

    private static void WriteJson(StringBuilder sb, JsonNode? node)
    {
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
                sb.Append(FormatNumber(ToNumber(node!)));
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
                    WriteJson(sb, item);
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
                    WriteJson(sb, value);
                }

                sb.Append('}');
                break;
        }
    }

    public static void WriteJsonString(StringBuilder sb, string s)
    {
        sb.Append('"');
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

        sb.Append('"');
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
