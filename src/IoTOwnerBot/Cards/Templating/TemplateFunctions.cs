using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IoTOwnerBot.Cards.Templating;

/// <summary>
/// The prebuilt Adaptive Expressions functions that card templates may call. Anything else is rejected when
/// the template is loaded. Each follows the adaptive-expressions 4.x behaviour for the inputs cards use.
/// </summary>
internal static class TemplateFunctions
{
    private static readonly Dictionary<string, (int Min, int Max)> Arity = new(StringComparer.Ordinal)
    {
        ["if"] = (3, 3),
        ["equals"] = (2, 2),
        ["not"] = (1, 1),
        ["and"] = (1, int.MaxValue),
        ["or"] = (1, int.MaxValue),
        ["empty"] = (1, 1),
        ["exists"] = (1, 1),
        ["concat"] = (1, int.MaxValue),
        ["formatDateTime"] = (1, 2),
        ["json"] = (1, 1),
        ["string"] = (1, 1),
        ["toUpper"] = (1, 1),
        ["toLower"] = (1, 1),
        ["count"] = (1, 1),
    };

    public static IReadOnlyCollection<string> Names => Arity.Keys;

    public static bool IsKnown(string name) => Arity.ContainsKey(name);

    public static void CheckArity(string name, int count)
    {
        var (min, max) = Arity[name];
        if (count < min || count > max)
        {
            var expected = min == max ? $"{min}" : max == int.MaxValue ? $"at least {min}" : $"{min} to {max}";
            throw new ExpressionException($"{name}() takes {expected} argument(s), not {count}");
        }
    }

    public static JsonNode? Invoke(CallExpr call, in Scope scope)
    {
        var args = call.Arguments;
        switch (call.Function)
        {
            // Lazy: only the chosen branch is evaluated, so if(exists(a.b), a.b, '') is safe.
            case "if":
                return Evaluator.Evaluate(Evaluator.IsTrue(Evaluator.Evaluate(args[0], scope)) ? args[1] : args[2], scope);
            case "and":
                foreach (var arg in args)
                {
                    if (!Evaluator.IsTrue(Evaluator.Evaluate(arg, scope)))
                    {
                        return JsonValue.Create(false);
                    }
                }

                return JsonValue.Create(true);
            case "or":
                foreach (var arg in args)
                {
                    if (Evaluator.IsTrue(Evaluator.Evaluate(arg, scope)))
                    {
                        return JsonValue.Create(true);
                    }
                }

                return JsonValue.Create(false);
            case "exists":
                try
                {
                    return JsonValue.Create(Evaluator.Evaluate(args[0], scope) is not null);
                }
                catch (MissingPathException)
                {
                    return JsonValue.Create(false);
                }
        }

        var values = new JsonNode?[args.Count];
        for (var i = 0; i < args.Count; i++)
        {
            values[i] = Evaluator.Evaluate(args[i], scope);
        }

        return call.Function switch
        {
            "equals" => JsonValue.Create(Evaluator.ValuesEqual(values[0], values[1])),
            "not" => JsonValue.Create(!Evaluator.IsTrue(values[0])),
            "empty" => JsonValue.Create(IsEmpty(values[0])),
            "concat" => Concat(values),
            "formatDateTime" => JsonValue.Create(FormatDateTime(values[0], values.Length > 1 ? values[1] : null)),
            "json" => Json(values[0]),
            "string" => JsonValue.Create(ToStringValue(values[0])),
            "toUpper" => JsonValue.Create(TextArgument("toUpper", values[0]).ToUpperInvariant()),
            "toLower" => JsonValue.Create(TextArgument("toLower", values[0]).ToLowerInvariant()),
            "count" => JsonValue.Create(Count(values[0])),
            _ => throw new ExpressionException($"unknown function '{call.Function}'"),
        };
    }

    private static bool IsEmpty(JsonNode? value) => value switch
    {
        null => true,
        JsonArray a => a.Count == 0,
        JsonObject o => o.Count == 0,
        _ => Evaluator.JsonKind(value) == JsonValueKind.String && value.GetValue<string>().Length == 0,
    };

    private static int Count(JsonNode? value) => value switch
    {
        JsonArray a => a.Count,
        JsonObject o => o.Count,
        _ when Evaluator.JsonKind(value) == JsonValueKind.String => value!.GetValue<string>().Length,
        _ => throw new ExpressionException("count() needs a string, an array or an object"),
    };

    private static string TextArgument(string function, JsonNode? value) => Evaluator.JsonKind(value) switch
    {
        JsonValueKind.String => value!.GetValue<string>(),
        JsonValueKind.Null => string.Empty,
        _ => throw new ExpressionException($"{function}() needs a string"),
    };

    // Pairwise, as in adaptive-expressions: two arrays concatenate, anything else becomes text.
    private static JsonNode? Concat(JsonNode?[] values)
    {
        var acc = values[0]?.DeepClone();
        for (var i = 1; i < values.Length; i++)
        {
            var next = values[i]?.DeepClone();
            if (acc is null && next is null)
            {
                acc = null;
            }
            else if (acc is null && next is JsonArray)
            {
                acc = next;
            }
            else if (next is null && acc is JsonArray)
            {
                // keep acc
            }
            else if (acc is JsonArray left && next is JsonArray right)
            {
                var joined = new JsonArray();
                foreach (var item in left.Concat(right))
                {
                    joined.Add(item?.DeepClone());
                }

                acc = joined;
            }
            else
            {
                acc = JsonValue.Create(Stringify(acc) + Stringify(next));
            }
        }

        return acc is JsonArray || values.Length > 1 ? acc : JsonValue.Create(Stringify(acc));
    }

    // adaptive-expressions' commonStringify: null is empty, objects are JSON, others their text.
    private static string Stringify(JsonNode? value) => value switch
    {
        null => string.Empty,
        JsonObject or JsonArray => Evaluator.ToJsonText(value).Trim('"', '\''),
        _ => Evaluator.ToInterpolatedText(value),
    };

    private static string ToStringValue(JsonNode? value)
    {
        if (Evaluator.JsonKind(value) == JsonValueKind.Number)
        {
            // adaptive-expressions formats numbers with d3-format ",.Nf": thousands separators, source precision.
            var d = Evaluator.ToNumber(value!);
            var plain = Evaluator.FormatNumber(d);
            var decimals = plain.Contains('.', StringComparison.Ordinal) ? plain.Length - plain.IndexOf('.', StringComparison.Ordinal) - 1 : 0;
            return d.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        }

        return Stringify(value);
    }

    private static JsonNode? Json(JsonNode? value)
    {
        if (Evaluator.JsonKind(value) != JsonValueKind.String)
        {
            throw new ExpressionException("json() parses a string of JSON; to write JSON text use string()");
        }

        try
        {
            return JsonNode.Parse(value!.GetValue<string>());
        }
        catch (JsonException ex)
        {
            throw new ExpressionException($"json() got invalid JSON: {ex.Message}");
        }
    }

    /// <summary>
    /// formatDateTime(timestamp, format?): a timestamp with an offset is converted to UTC; one without is taken
    /// as it stands (the official engine reads it as UTC). The composer hands templates wall-clock times already
    /// in the recipient's zone, so both engines print the same digits. Numeric .NET-style specifiers only.
    /// </summary>
    private static string FormatDateTime(JsonNode? timestamp, JsonNode? format)
    {
        if (Evaluator.JsonKind(timestamp) != JsonValueKind.String
            || !DateTime.TryParse(
                timestamp!.GetValue<string>(),
                CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
                out var utc))
        {
            throw new ExpressionException("formatDateTime() needs an ISO 8601 timestamp string");
        }

        if (format is null)
        {
            return utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        }

        if (Evaluator.JsonKind(format) != JsonValueKind.String)
        {
            throw new ExpressionException("formatDateTime() format must be a string");
        }

        return FormatCustom(utc, format.GetValue<string>());
    }

    private static string FormatCustom(DateTime value, string format)
    {
        var sb = new StringBuilder();
        var i = 0;
        while (i < format.Length)
        {
            var c = format[i];
            if (c == '\'')
            {
                var end = format.IndexOf('\'', i + 1);
                if (end < 0)
                {
                    throw new ExpressionException("formatDateTime() format has an unterminated quote");
                }

                sb.Append(format, i + 1, end - i - 1);
                i = end + 1;
                continue;
            }

            if (!char.IsAsciiLetter(c))
            {
                sb.Append(c);
                i++;
                continue;
            }

            var run = 1;
            while (i + run < format.Length && format[i + run] == c)
            {
                run++;
            }

            var token = format.Substring(i, run);
            sb.Append(token switch
            {
                "yyyy" => value.Year.ToString("D4", CultureInfo.InvariantCulture),
                "yy" => (value.Year % 100).ToString("D2", CultureInfo.InvariantCulture),
                "MM" => value.Month.ToString("D2", CultureInfo.InvariantCulture),
                "M" => value.Month.ToString(CultureInfo.InvariantCulture),
                "dd" => value.Day.ToString("D2", CultureInfo.InvariantCulture),
                "d" => value.Day.ToString(CultureInfo.InvariantCulture),
                "HH" => value.Hour.ToString("D2", CultureInfo.InvariantCulture),
                "H" => value.Hour.ToString(CultureInfo.InvariantCulture),
                "hh" => Hour12(value).ToString("D2", CultureInfo.InvariantCulture),
                "h" => Hour12(value).ToString(CultureInfo.InvariantCulture),
                "mm" => value.Minute.ToString("D2", CultureInfo.InvariantCulture),
                "m" => value.Minute.ToString(CultureInfo.InvariantCulture),
                "ss" => value.Second.ToString("D2", CultureInfo.InvariantCulture),
                "s" => value.Second.ToString(CultureInfo.InvariantCulture),
                "fff" => value.Millisecond.ToString("D3", CultureInfo.InvariantCulture),
                "tt" => value.Hour < 12 ? "AM" : "PM",
                _ => throw new ExpressionException($"formatDateTime() does not support the format specifier '{token}'"),
            });
            i += run;
        }

        return sb.ToString();
    }

    private static int Hour12(DateTime value) => value.Hour % 12 == 0 ? 12 : value.Hour % 12;
}
