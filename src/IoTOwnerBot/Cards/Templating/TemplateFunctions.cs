using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using static IoTOwnerBot.Cards.Templating.Evaluator;

namespace IoTOwnerBot.Cards.Templating;

/// <summary>
/// The prebuilt functions of Adaptive Expressions (Microsoft's reference: string, collection, logical and comparison,
/// conversion, math, date and time, URI, object manipulation, type checks) and the operators, each behaving as
/// adaptive-expressions 4.x does in JavaScript, the engine of the Adaptive Cards Designer. A name not in this
/// table fails when the template is loaded.
/// </summary>
internal static partial class TemplateFunctions
{
    private const int Many = int.MaxValue;

    private static readonly Dictionary<string, TemplateFunction> Table = Build();

    /// <summary>Functions of the reference we refuse at load, with the reason (they need things a card has not got).</summary>
    private static readonly Dictionary<string, string> Refused = new(StringComparer.Ordinal)
    {
        ["isDefinite"] = "TIMEX expressions (Bot Framework recognizers) have no meaning in a card",
        ["isTime"] = "TIMEX expressions (Bot Framework recognizers) have no meaning in a card",
        ["isDuration"] = "TIMEX expressions (Bot Framework recognizers) have no meaning in a card",
        ["isDate"] = "TIMEX expressions (Bot Framework recognizers) have no meaning in a card",
        ["isTimeRange"] = "TIMEX expressions (Bot Framework recognizers) have no meaning in a card",
        ["isDateRange"] = "TIMEX expressions (Bot Framework recognizers) have no meaning in a card",
        ["isPresent"] = "TIMEX expressions (Bot Framework recognizers) have no meaning in a card",
        ["getNextViableDate"] = "TIMEX expressions (Bot Framework recognizers) have no meaning in a card",
        ["getPreviousViableDate"] = "TIMEX expressions (Bot Framework recognizers) have no meaning in a card",
        ["getNextViableTime"] = "TIMEX expressions (Bot Framework recognizers) have no meaning in a card",
        ["getPreviousViableTime"] = "TIMEX expressions (Bot Framework recognizers) have no meaning in a card",
        ["resolve"] = "TIMEX expressions (Bot Framework recognizers) have no meaning in a card",
        ["dateReadBack"] = "TIMEX expressions (Bot Framework recognizers) have no meaning in a card",
        ["setPathToValue"] = "templates never write to their data",
        ["ignore"] = "it only has a meaning in Bot Framework trigger trees",
        ["optional"] = "it only has a meaning in Bot Framework trigger trees",
        ["xml"] = "XML is not supported in card templates",
        ["xPath"] = "XML is not supported in card templates",
        ["jPath"] = "JSONPath is not supported in card templates; use property paths and where()",
        ["stringOrValue"] = "it evaluates text as an expression, and a card never evaluates its data as template text",
    };

    public static IReadOnlyCollection<string> Names => Table.Keys;

    /// <summary>Functions of the reference that fail at load, each with the reason given in the error.</summary>
    public static IReadOnlyDictionary<string, string> RefusedFunctions => Refused;

    public static TemplateFunction? Find(string name) =>
        Table.TryGetValue(name, out var f) ? f
        : Refused.TryGetValue(name, out var why) ? throw new ExpressionException($"function '{name}' is not supported: {why}")
        : null;

    private static Dictionary<string, TemplateFunction> Build()
    {
        var t = new Dictionary<string, TemplateFunction>(StringComparer.Ordinal);
        AddOperatorsAndLogic(t);
        AddMath(t);
        AddStrings(t);
        AddCollections(t);
        AddConversions(t);
        AddObjects(t);
        AddDates(t);
        AddUris(t);
        return t;
    }

    private static ExpressionException Error(string message) => new(message);

    // ---------------------------------------------------------------- logic, comparison, operators

    private static void AddOperatorsAndLogic(Dictionary<string, TemplateFunction> t)
    {
        // and, or, not, if and comparisons read missing or failing arguments as false, as adaptive-expressions does.
        t["&&"] = t["and"] = TemplateFunction.Lazy(1, Many, ((call, in s) =>
        {
            foreach (var arg in call.Arguments)
            {
                if (!IsTrue(Guarded(arg, s)))
                {
                    return Bool(false);
                }
            }

            return Bool(true);
        }));
        // Like adaptive-expressions, or() gives the last value when none is true (false, or null for a missing one).
        t["||"] = t["or"] = TemplateFunction.Lazy(1, Many, (call, in s) =>
        {
            JsonNode? last = null;
            foreach (var arg in call.Arguments)
            {
                last = Guarded(arg, s);
                if (IsTrue(last))
                {
                    return Bool(true);
                }
            }

            return last;
        });
        t["!"] = t["not"] = TemplateFunction.Lazy(1, 1, (call, in s) =>
        {
            try
            {
                return Bool(!IsTrue(Evaluate(call.Arguments[0], s)));
            }
            catch (ExpressionException ex) when (!IsLimit(ex))
            {
                return Bool(true);
            }
        });
        t["if"] = TemplateFunction.Lazy(3, 3, (call, in s) =>
            Evaluate(IsTrue(Guarded(call.Arguments[0], s)) ? call.Arguments[1] : call.Arguments[2], s));
        t["??"] = t["coalesce"] = TemplateFunction.Eager(1, Many, (a, in _) => a.FirstOrDefault(v => v is not null));
        t["=="] = t["equals"] = Comparison(2, 2, a => ValuesEqual(a[0], a[1]), nullOk: true);
        t["!="] = Comparison(2, 2, a => !ValuesEqual(a[0], a[1]), nullOk: true);
        t["<"] = t["less"] = Comparison(2, 2, a => Compare(a, "<") < 0);
        t["<="] = t["lessOrEquals"] = Comparison(2, 2, a => Compare(a, "<=") <= 0);
        t[">"] = t["greater"] = Comparison(2, 2, a => Compare(a, ">") > 0);
        t[">="] = t["greaterOrEquals"] = Comparison(2, 2, a => Compare(a, ">=") >= 0);
        t["exists"] = Comparison(1, 1, a => a[0] is not null, nullOk: true);
        t["empty"] = Comparison(1, 1, a => a[0] switch
        {
            null => true,
            JsonArray x => x.Count == 0,
            JsonObject o => o.Count == 0,
            _ when IsString(a[0]) => a[0]!.GetValue<string>().Length == 0,
            _ => false,
        }, nullOk: true);
        t["bool"] = Comparison(1, 1, a => a[0] switch
        {
            _ when IsNumber(a[0]) => ToNumber(a[0]!) != 0,
            _ when IsString(a[0]) && a[0]!.GetValue<string>().Contains("false", StringComparison.OrdinalIgnoreCase) => false,
            _ => IsTrue(a[0]),
        }, nullOk: true);
    }

    private static bool IsLimit(ExpressionException ex) => ex.Message.Contains("nested deeper", StringComparison.Ordinal);

    private static JsonNode? Guarded(Expr expr, in Scope scope)
    {
        try
        {
            return Evaluate(expr, scope);
        }
        catch (ExpressionException ex) when (!IsLimit(ex))
        {
            return null;
        }
    }

    /// <summary>A comparison: an argument that fails (or is null, unless allowed) makes it false, as in adaptive-expressions.</summary>
    private static TemplateFunction Comparison(int min, int max, Func<JsonNode?[], bool> test, bool nullOk = false) =>
        TemplateFunction.Lazy(min, max, (call, in s) =>
        {
            var values = new JsonNode?[call.Arguments.Length];
            for (var i = 0; i < values.Length; i++)
            {
                try
                {
                    values[i] = Evaluate(call.Arguments[i], s);
                }
                catch (ExpressionException ex) when (!IsLimit(ex))
                {
                    return Bool(false);
                }

                if (values[i] is null && !nullOk)
                {
                    return Bool(false);
                }
            }

            try
            {
                return Bool(test(values));
            }
            catch (ExpressionException ex)
            {
                throw new ExpressionException($"{call.Name}(): {ex.Message}");
            }
        });

    private static int Compare(JsonNode?[] a, string op)
    {
        if (IsNumber(a[0]) && IsNumber(a[1]))
        {
            var x = ToNumber(a[0]!);
            var y = ToNumber(a[1]!);
            return double.IsNaN(x) || double.IsNaN(y) ? (op is "<" or "<=" ? 1 : -1) : x.CompareTo(y);
        }

        if (IsString(a[0]) && IsString(a[1]))
        {
            return string.CompareOrdinal(a[0]!.GetValue<string>(), a[1]!.GetValue<string>());
        }

        throw Error($"{Describe(a[0])} and {Describe(a[1])} must be comparable (two numbers or two strings)");
    }

    private static string Describe(JsonNode? v) => v switch
    {
        null => "null",
        JsonArray => "a list",
        JsonObject => "an object",
        _ when IsString(v) => $"'{v.GetValue<string>()}'",
        _ => ToJsonText(v),
    };

    // ---------------------------------------------------------------- math

    private static void AddMath(Dictionary<string, TemplateFunction> t)
    {
        t["+"] = t["add"] = TemplateFunction.Eager(2, Many, (a, in _) => Fold(a, Add));
        t["-"] = t["sub"] = Numeric(2, Many, (x, y) => x - y);
        t["*"] = t["mul"] = Numeric(2, Many, (x, y) => x * y);
        t["/"] = t["div"] = TemplateFunction.Eager(2, Many, (a, in _) =>
        {
            var acc = Num(a[0], 0);
            for (var i = 1; i < a.Length; i++)
            {
                var y = Num(a[i], i);
                if (y == 0)
                {
                    throw Error("cannot divide by 0");
                }

                acc = IsInteger(acc) && IsInteger(y) ? Math.Floor(acc / y) : acc / y;
            }

            return Number(acc);
        });
        t["%"] = t["mod"] = TemplateFunction.Eager(2, 2, (a, in _) =>
        {
            var x = Int(a[0]);
            var y = Int(a[1]);
            return y == 0 ? throw Error("cannot mod by 0") : Number(Math.IEEERemainder(0, 1) * 0 + (x % y));
        });
        t["^"] = t["exp"] = Numeric(2, Many, Math.Pow);
        t["min"] = TemplateFunction.Eager(1, Many, (a, in _) => Number(Numbers(a).Aggregate(double.PositiveInfinity, (m, v) => double.IsNaN(m) || double.IsNaN(v) ? double.NaN : Math.Min(m, v))));
        t["max"] = TemplateFunction.Eager(1, Many, (a, in _) => Number(Numbers(a).Aggregate(double.NegativeInfinity, (m, v) => double.IsNaN(m) || double.IsNaN(v) ? double.NaN : Math.Max(m, v))));
        t["sum"] = TemplateFunction.Eager(1, 1, (a, in _) => Number(NumericList(a[0]) is var l && l.Count > 0 ? l.Aggregate((x, y) => x + y) : throw Error("sum() of an empty list")));
        t["average"] = TemplateFunction.Eager(1, 1, (a, in _) => Number(NumericList(a[0]) is var l && l.Count > 0 ? l.Aggregate((x, y) => x + y) / l.Count : throw Error("average() of an empty list")));
        t["floor"] = Numeric(1, 1, (x, _) => Math.Floor(x));
        t["ceiling"] = Numeric(1, 1, (x, _) => Math.Ceiling(x));
        t["abs"] = Numeric(1, 1, (x, _) => Math.Abs(x));
        t["sqrt"] = TemplateFunction.Eager(1, 1, (a, in _) => Num(a[0], 0) is var x && x < 0 ? throw Error("sqrt() of a negative number") : Number(Math.Sqrt(x)));
        t["round"] = TemplateFunction.Eager(1, 2, (a, in _) =>
        {
            var x = Num(a[0], 0);
            var digits = a.Length > 1 ? Num(a[1], 1) : 0;
            if (!IsInteger(digits) || digits < 0 || digits > 15)
            {
                throw Error("the number of digits must be an integer from 0 to 15");
            }

            var scale = Math.Pow(10, digits);
            return Number(JsRound(x * scale) / scale);
        });
        t["rand"] = TemplateFunction.Eager(2, 2, (a, in _) =>
        {
            var min = Int(a[0]);
            var max = Int(a[1]);
            return min >= max ? throw Error("rand(): the minimum must be less than the maximum") : Number(Math.Floor(min + (Random.Shared.NextDouble() * (max - min))));
        });
        t["range"] = TemplateFunction.Eager(2, 2, (a, in _) =>
        {
            var start = Int(a[0]);
            var count = Int(a[1]);
            if (count <= 0)
            {
                throw Error("range(): the count must be more than zero");
            }

            if (count > 100_000)
            {
                throw Error("range(): at most 100000 items");
            }

            var result = new JsonArray();
            for (var i = 0; i < count; i++)
            {
                result.Add(start + i);
            }

            return result;
        });
    }

    private static double JsRound(double x) => Math.Floor(x + 0.5) is var r && r - x == 0.5 && x < 0 && false ? r : Math.Floor(x + 0.5);

    private static JsonNode? Fold(JsonNode?[] a, Func<JsonNode?, JsonNode?, JsonNode?> op)
    {
        var acc = a[0];
        for (var i = 1; i < a.Length; i++)
        {
            acc = op(acc, a[i]);
        }

        return acc;
    }

    private static JsonNode? Add(JsonNode? x, JsonNode? y)
    {
        foreach (var v in new[] { x, y })
        {
            if (v is not null && !IsNumber(v) && !IsString(v))
            {
                throw Error($"{Describe(v)} is neither a number nor a string");
            }
        }

        if ((x is null && IsNumber(y)) || (y is null && IsNumber(x)))
        {
            throw Error("'+' cannot add a number and null");
        }

        if (IsNumber(x) && IsNumber(y))
        {
            return Number(ToNumber(x!) + ToNumber(y!));
        }

        return Text((x is null ? "" : ToInterpolatedText(x)) + (y is null ? "" : ToInterpolatedText(y)));
    }

    private static TemplateFunction Numeric(int min, int max, Func<double, double, double> op) =>
        TemplateFunction.Eager(min, max, (a, in _) =>
        {
            var acc = Num(a[0], 0);
            if (a.Length == 1)
            {
                return Number(op(acc, 0));
            }

            for (var i = 1; i < a.Length; i++)
            {
                acc = op(acc, Num(a[i], i));
            }

            return Number(acc);
        });

    private static double Num(JsonNode? v, int position) =>
        IsNumber(v) ? ToNumber(v!) : throw Error($"{Describe(v)} is not a number (argument {position + 1})");

    private static double Int(JsonNode? v) =>
        IsNumber(v) && IsInteger(ToNumber(v!)) ? ToNumber(v!) : throw Error($"{Describe(v)} is not an integer");

    private static List<double> NumericList(JsonNode? v) =>
        v is JsonArray list ? list.Select(i => IsNumber(i) ? ToNumber(i!) : throw Error($"{Describe(i)} in the list is not a number")).ToList()
        : throw Error($"{Describe(v)} is not a list");

    private static IEnumerable<double> Numbers(JsonNode?[] a)
    {
        foreach (var v in a)
        {
            if (v is JsonArray list)
            {
                foreach (var d in NumericList(list))
                {
                    yield return d;
                }
            }
            else
            {
                yield return IsNumber(v) ? ToNumber(v!) : throw Error($"{Describe(v)} is neither a list nor a number");
            }
        }
    }

    // ---------------------------------------------------------------- strings

    private static string Str(JsonNode? v) => IsString(v) ? v!.GetValue<string>() : "";

    private static string StrOrNull(JsonNode? v, string function) =>
        v is null || IsString(v) ? Str(v) : throw Error($"{Describe(v)} is not a string");

    private static void AddStrings(Dictionary<string, TemplateFunction> t)
    {
        t["length"] = TemplateFunction.Eager(1, 1, (a, in _) => IsString(a[0]) || a[0] is null ? Number(Str(a[0]).Length) : throw Error($"{Describe(a[0])} is not a string"));
        t["replace"] = TemplateFunction.Eager(3, 3, (a, in _) =>
        {
            var old = StrOrNull(a[1], "replace");
            return old.Length == 0 ? throw Error("the text to replace must not be empty") : Text(StrOrNull(a[0], "replace").Replace(old, StrOrNull(a[2], "replace"), StringComparison.Ordinal));
        });
        t["replaceIgnoreCase"] = TemplateFunction.Eager(3, 3, (a, in _) =>
        {
            var old = StrOrNull(a[1], "replaceIgnoreCase");
            return old.Length == 0
                ? throw Error("the text to replace must not be empty")
                : Text(JsRegex(old, RegexOptions.IgnoreCase).Replace(StrOrNull(a[0], "replaceIgnoreCase"), StrOrNull(a[2], "replaceIgnoreCase")));
        });
        t["split"] = TemplateFunction.Eager(1, 2, (a, in _) =>
        {
            var s = StrOrNull(a[0], "split");
            var separator = a.Length > 1 ? StrOrNull(a[1], "split") : "";
            var parts = separator.Length == 0 ? s.Select(c => c.ToString()).ToArray() : s.Split(separator);
            if (separator.Length == 0)
            {
                parts = SplitUtf16(s);
            }

            return new JsonArray(parts.Select(p => (JsonNode?)JsonValue.Create(p)).ToArray());
        });
        t["substring"] = TemplateFunction.Eager(2, 3, (a, in _) =>
        {
            if (a[0] is null)
            {
                return Text("");
            }

            var s = IsString(a[0]) ? Str(a[0]) : throw Error($"{Describe(a[0])} is neither a string nor null");
            var start = Int(a[1]);
            if (start < 0 || start > s.Length)
            {
                throw Error($"start {FormatNumber(start)} is out of range for a text of {s.Length} characters");
            }

            var length = a.Length > 2 ? Int(a[2]) : s.Length - start;
            if (length < 0 || start + length > s.Length)
            {
                throw Error($"length {FormatNumber(length)} is out of range for a text of {s.Length} characters");
            }

            return Text(s.Substring((int)start, (int)length));
        });
        t["toLower"] = TemplateFunction.Eager(1, 1, (a, in _) => Text(StrOrNull(a[0], "toLower").ToLowerInvariant()));
        t["toUpper"] = TemplateFunction.Eager(1, 1, (a, in _) => Text(StrOrNull(a[0], "toUpper").ToUpperInvariant().Replace("ß", "SS", StringComparison.Ordinal)));
        t["trim"] = TemplateFunction.Eager(1, 1, (a, in _) => Text(StrOrNull(a[0], "trim").Trim()));
        t["startsWith"] = TemplateFunction.Eager(2, 2, (a, in _) => Bool(StrOrNull(a[0], "startsWith").StartsWith(StrOrNull(a[1], "startsWith"), StringComparison.Ordinal)));
        t["endsWith"] = TemplateFunction.Eager(2, 2, (a, in _) => Bool(StrOrNull(a[0], "endsWith").EndsWith(StrOrNull(a[1], "endsWith"), StringComparison.Ordinal)));
        t["countWord"] = TemplateFunction.Eager(1, 1, (a, in _) =>
        {
            var s = StrOrNull(a[0], "countWord").Trim();
            return Number(s.Length == 0 ? 1 : WhitespaceRun().Split(s).Length);
        });
        t["addOrdinal"] = TemplateFunction.Eager(1, 1, (a, in _) =>
        {
            var n = Int(a[0]);
            var text = FormatNumber(n);
            if (n <= 0)
            {
                return Text(text);
            }

            if (n % 100 is 11 or 12 or 13)
            {
                return Text(text + "th");
            }

            return Text(text + (n % 10) switch { 1 => "st", 2 => "nd", 3 => "rd", _ => "th" });
        });
        t["newGuid"] = TemplateFunction.Eager(0, 0, (_, in _) => Text(Guid.NewGuid().ToString()));
        t["indexOf"] = TemplateFunction.Eager(2, 2, (a, in _) => Number(IndexOf(a, last: false)));
        t["lastIndexOf"] = TemplateFunction.Eager(2, 2, (a, in _) => Number(IndexOf(a, last: true)));
        t["EOL"] = TemplateFunction.Eager(0, 0, (_, in _) => Text("\n"));
        t["sentenceCase"] = TemplateFunction.Eager(1, 2, (a, in _) =>
        {
            var s = StrOrNull(a[0], "sentenceCase").ToLowerInvariant();
            return Text(s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..]);
        });
        t["titleCase"] = TemplateFunction.Eager(1, 2, (a, in _) =>
            Text(WordRun().Replace(StrOrNull(a[0], "titleCase").ToLowerInvariant(), m => char.ToUpperInvariant(m.Value[0]) + m.Value[1..])));
        t["&"] = t["concat"] = TemplateFunction.Eager(1, Many, (a, in _) => Concat(a));
        t["join"] = TemplateFunction.Eager(2, 3, (a, in _) =>
        {
            if (a[0] is not JsonArray list)
            {
                throw Error($"{Describe(a[0])} is not a list");
            }

            var items = list.Select(JoinText).ToList();
            var separator = JoinText(a[1]);
            if (a.Length == 2 || items.Count < 2)
            {
                return Text(string.Join(separator, items));
            }

            var last = JoinText(a[2]);
            return Text(string.Join(separator, items.Take(items.Count - 1)) + last + items[^1]);
        });
        t["isMatch"] = TemplateFunction.Eager(2, 2, (a, in _) =>
        {
            var pattern = IsString(a[1]) ? Str(a[1]) : throw Error("the pattern must be a string");
            return Bool(JsRegex(pattern, RegexOptions.None).IsMatch(StrOrNull(a[0], "isMatch")));
        });
    }

    private static Regex JsRegex(string pattern, RegexOptions options)
    {
        try
        {
            return new Regex(pattern, options | RegexOptions.ECMAScript | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException ex)
        {
            throw Error($"'{pattern}' is not a valid regular expression: {ex.Message}");
        }
    }

    private static string[] SplitUtf16(string s)
    {
        var parts = new string[s.Length];
        for (var i = 0; i < s.Length; i++)
        {
            parts[i] = s[i].ToString();
        }

        return parts;
    }

    /// <summary>Array.prototype.join: null items are empty, others as JavaScript's String(x).</summary>
    private static string JoinText(JsonNode? v) => v switch
    {
        null => "",
        JsonObject => throw Error("join() of a list holding objects would read [object Object]; use select() first"),
        _ => ToInterpolatedText(v),
    };

    private static double IndexOf(JsonNode?[] a, bool last)
    {
        if (a[0] is null || IsString(a[0]))
        {
            if (a[1] is not null && !IsString(a[1]))
            {
                throw Error("indexOf() of a text looks for a text");
            }

            var s = Str(a[0]);
            var find = Str(a[1]);
            return last ? JsLastIndexOf(s, find) : s.IndexOf(find, StringComparison.Ordinal);
        }

        if (a[0] is JsonArray list)
        {
            for (var i = 0; i < list.Count; i++)
            {
                var at = last ? list.Count - 1 - i : i;
                if (StrictlyEqual(list[at], a[1]))
                {
                    return at;
                }
            }

            return -1;
        }

        throw Error($"{Describe(a[0])} is neither a text nor a list");
    }

    // adaptive-expressions searches from the last character, so an empty text is found there.
    private static int JsLastIndexOf(string s, string find) => find.Length == 0 ? s.Length - 1 : s.LastIndexOf(find, StringComparison.Ordinal);

    /// <summary>JavaScript's <c>===</c>: primitives by value, lists and objects only when they are the same instance.</summary>
    private static bool StrictlyEqual(JsonNode? x, JsonNode? y) =>
        x is JsonArray or JsonObject || y is JsonArray or JsonObject ? ReferenceEquals(x, y) : ValuesEqual(x, y) && JsonKind(x) == JsonKind(y);

    /// <summary>concat: pairwise; two lists join, null and a list give the list, anything else is text (objects as JSON).</summary>
    private static JsonNode? Concat(JsonNode?[] a)
    {
        var acc = a[0];
        if (a.Length == 1)
        {
            return acc;
        }

        for (var i = 1; i < a.Length; i++)
        {
            var next = a[i];
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
            }
            else if (acc is JsonArray left && next is JsonArray right)
            {
                var joined = new JsonArray();
                foreach (var item in left.Concat(right))
                {
                    joined.Add(Detach(item));
                }

                acc = joined;
            }
            else
            {
                acc = Text(CommonStringify(acc) + CommonStringify(next));
            }
        }

        return acc;
    }

    /// <summary>adaptive-expressions' commonStringify: null is empty, lists and objects are JSON without leading/trailing quotes.</summary>
    private static string CommonStringify(JsonNode? value) => value switch
    {
        null => string.Empty,
        JsonObject or JsonArray => ToJsonText(value).Trim('"', '\''),
        _ => ToInterpolatedText(value),
    };

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhitespaceRun();

    [GeneratedRegex(@"[A-Za-z0-9_][^\s]*")]
    private static partial Regex WordRun();

    // ---------------------------------------------------------------- collections

    private static void AddCollections(Dictionary<string, TemplateFunction> t)
    {
        t["count"] = TemplateFunction.Eager(1, 1, (a, in _) => a[0] switch
        {
            JsonArray x => Number(x.Count),
            JsonObject o => Number(o.Count),
            _ when IsString(a[0]) => Number(Str(a[0]).Length),
            _ => throw Error($"{Describe(a[0])} is neither a text nor a list"),
        });
        t["contains"] = TemplateFunction.Eager(2, 2, (a, in _) =>
        {
            if (IsString(a[0]) && IsString(a[1]))
            {
                return Bool(Str(a[0]).Contains(Str(a[1]), StringComparison.Ordinal));
            }

            if (a[0] is JsonArray list)
            {
                return Bool(list.Any(i => ValuesEqual(i, a[1])));
            }

            return Bool(IsString(a[1]) && Property(a[0], Str(a[1])) is not null);
        });
        t["first"] = TemplateFunction.Eager(1, 1, (a, in _) => a[0] switch
        {
            JsonArray { Count: > 0 } x => x[0],
            _ when IsString(a[0]) && Str(a[0]).Length > 0 => Text(Str(a[0])[0].ToString()),
            _ => null,
        });
        t["last"] = TemplateFunction.Eager(1, 1, (a, in _) => a[0] switch
        {
            JsonArray { Count: > 0 } x => x[^1],
            _ when IsString(a[0]) && Str(a[0]).Length > 0 => Text(Str(a[0])[^1].ToString()),
            _ => null,
        });
        t["createArray"] = TemplateFunction.Eager(0, Many, (a, in _) => new JsonArray(a.Select(Detach).ToArray()));
        t["take"] = TemplateFunction.Eager(2, 2, (a, in _) =>
        {
            var n = (int)Math.Max(Int(a[1]), 0);
            return a[0] switch
            {
                JsonArray list => Copy(list.Take(n)),
                _ when IsString(a[0]) => Text(Str(a[0])[..Math.Min(n, Str(a[0]).Length)]),
                _ => throw Error($"{Describe(a[0])} is neither a list nor a text"),
            };
        });
        t["skip"] = TemplateFunction.Eager(2, 2, (a, in _) =>
            a[0] is JsonArray list ? Copy(list.Skip((int)Math.Max(Int(a[1]), 0))) : throw Error($"{Describe(a[0])} is not a list"));
        t["subArray"] = TemplateFunction.Eager(2, 3, (a, in _) =>
        {
            if (a[0] is not JsonArray list)
            {
                throw Error($"{Describe(a[0])} is not a list");
            }

            var start = Int(a[1]);
            var end = a.Length > 2 ? Int(a[2]) : list.Count;
            if (start < 0 || start > list.Count || end < 0 || end > list.Count)
            {
                throw Error("the range is outside the list");
            }

            return Copy(list.Skip((int)start).Take((int)(end - start)));
        });
        t["reverse"] = TemplateFunction.Eager(1, 1, (a, in _) => a[0] switch
        {
            JsonArray list => Copy(list.Reverse()),
            _ when IsString(a[0]) => Text(new string(Str(a[0]).Reverse().ToArray())),
            _ => throw Error($"{Describe(a[0])} is neither a list nor a text"),
        });
        t["union"] = TemplateFunction.Eager(1, Many, (a, in _) => Copy(Distinct(a.SelectMany(Items))));
        t["intersection"] = TemplateFunction.Eager(1, Many, (a, in _) =>
        {
            var result = Items(a[0]).ToList();
            foreach (var other in a.Skip(1).Select(l => Items(l).ToList()))
            {
                result = result.Where(x => other.Any(y => StrictlyEqual(x, y))).ToList();
            }

            return Copy(Distinct(result));
        });
        t["unique"] = TemplateFunction.Eager(1, 1, (a, in _) => Copy(Distinct(Items(a[0]))));
        t["flatten"] = TemplateFunction.Eager(1, 2, (a, in _) =>
        {
            var depth = a.Length > 1 && IsNumber(a[1]) && ToNumber(a[1]!) >= 1 ? ToNumber(a[1]!) : a.Length > 1 ? 1 : 100;
            IEnumerable<JsonNode?> items = Items(a[0]).ToList();
            for (var i = 0; i < depth && items.Any(x => x is JsonArray); i++)
            {
                items = items.SelectMany(x => x is JsonArray inner ? inner.AsEnumerable() : [x]).ToList();
            }

            return Copy(items);
        });
        t["indicesAndValues"] = TemplateFunction.Eager(1, 1, (a, in _) => a[0] switch
        {
            JsonArray list => new JsonArray(list.Select((v, i) => (JsonNode?)new JsonObject { ["index"] = i, ["value"] = Detach(v) }).ToArray()),
            JsonObject obj => new JsonArray(obj.Select(p => (JsonNode?)new JsonObject { ["index"] = p.Key, ["value"] = Detach(p.Value) }).ToArray()),
            _ => throw Error($"{Describe(a[0])} is neither a list nor an object"),
        });
        t["sortBy"] = TemplateFunction.Eager(1, 2, (a, in _) => Sort(a, descending: false));
        t["sortByDescending"] = TemplateFunction.Eager(1, 2, (a, in _) => Sort(a, descending: true));

        t["where"] = TemplateFunction.Lambda((call, in s) =>
        {
            var source = Evaluate(call.Arguments[0], s);
            var kept = new List<JsonNode?>();
            foreach (var item in LambdaItems(source, call))
            {
                if (IsTrue(GuardedLambda(call, s, item)))
                {
                    kept.Add(item);
                }
            }

            if (source is JsonObject)
            {
                var obj = new JsonObject();
                foreach (var pair in kept)
                {
                    obj[Str(pair!["key"])] = Detach(pair!["value"]);
                }

                return obj;
            }

            return Copy(kept);
        });
        t["select"] = t["foreach"] = TemplateFunction.Lambda((call, in s) =>
        {
            var source = Evaluate(call.Arguments[0], s);
            if (source is null)
            {
                throw Error($"{call.Name}(): {call.Arguments[0]} is null");
            }

            var result = new JsonArray();
            foreach (var item in LambdaItems(source, call))
            {
                result.Add(Detach(Evaluate(call.Arguments[2], Bind(call, s, item))));
            }

            return result;
        });
        t["any"] = TemplateFunction.Lambda((call, in s) =>
        {
            foreach (var item in LambdaItems(Evaluate(call.Arguments[0], s), call))
            {
                if (IsTrue(GuardedLambda(call, s, item)))
                {
                    return Bool(true);
                }
            }

            return Bool(false);
        });
        t["all"] = TemplateFunction.Lambda((call, in s) =>
        {
            foreach (var item in LambdaItems(Evaluate(call.Arguments[0], s), call))
            {
                if (!IsTrue(GuardedLambda(call, s, item)))
                {
                    return Bool(false);
                }
            }

            return Bool(true);
        });
    }

    private static Scope Bind(CallExpr call, in Scope s, JsonNode? item) =>
        s with { Locals = new Local(((IdentifierExpr)call.Arguments[1]).Name, item, s.Locals) };

    private static JsonNode? GuardedLambda(CallExpr call, in Scope s, JsonNode? item)
    {
        try
        {
            return Evaluate(call.Arguments[2], Bind(call, s, item));
        }
        catch (ExpressionException ex) when (!IsLimit(ex))
        {
            return null;
        }
    }

    /// <summary>The items a lambda runs over: a list's items, or an object's properties as <c>{key, value}</c>.</summary>
    private static List<JsonNode?> LambdaItems(JsonNode? source, CallExpr call) => source switch
    {
        JsonArray list => list.ToList(),
        JsonObject obj => obj.Select(p => (JsonNode?)new JsonObject { ["key"] = p.Key, ["value"] = Detach(p.Value) }).ToList(),
        _ => throw Error($"{call.Name}(): {call.Arguments[0]} is not a list or an object"),
    };

    private static IEnumerable<JsonNode?> Items(JsonNode? v) => v is JsonArray list ? list : throw Error($"{Describe(v)} is not a list");

    private static JsonArray Copy(IEnumerable<JsonNode?> items)
    {
        var result = new JsonArray();
        foreach (var item in items)
        {
            result.Add(item?.DeepClone());
        }

        return result;
    }

    private static List<JsonNode?> Distinct(IEnumerable<JsonNode?> items)
    {
        var result = new List<JsonNode?>();
        foreach (var item in items)
        {
            if (!result.Any(r => StrictlyEqual(r, item)))
            {
                result.Add(item);
            }
        }

        return result;
    }

    private static JsonArray Sort(JsonNode?[] a, bool descending)
    {
        if (a[0] is not JsonArray list)
        {
            throw Error($"{Describe(a[0])} is not a list");
        }

        List<JsonNode?> sorted;
        if (a.Length == 1)
        {
            // Array.prototype.sort(): by the items' text, nulls last.
            sorted = list.OrderBy(x => x is null ? 1 : 0).ThenBy(x => x is null ? "" : SortText(x), StringComparer.Ordinal).ToList();
        }
        else
        {
            var key = a[1] is null ? "" : IsString(a[1]) ? Str(a[1]) : ToInterpolatedText(a[1]);
            sorted = list.ToList();
            StableSort(sorted, (x, y) => CompareByKey(x, y, key));
        }

        if (descending)
        {
            sorted.Reverse();
        }

        return Copy(sorted);
    }

    private static string SortText(JsonNode x) => x switch
    {
        JsonObject => "[object Object]",
        _ => ToInterpolatedText(x),
    };

    private static void StableSort(List<JsonNode?> items, Comparison<JsonNode?> compare)
    {
        var indexed = items.Select((v, i) => (v, i)).ToList();
        indexed.Sort((x, y) => compare(x.v, y.v) is var c && c != 0 ? c : x.i.CompareTo(y.i));
        items.Clear();
        items.AddRange(indexed.Select(p => p.v));
    }

    /// <summary>JavaScript's <c>a[key] &gt; b[key]</c> for the values cards hold (numbers with numbers, texts with texts).</summary>
    private static int CompareByKey(JsonNode? x, JsonNode? y, string key)
    {
        var a = x is JsonObject ox && ox.TryGetPropertyValue(key, out var va) ? va : null;
        var b = y is JsonObject oy && oy.TryGetPropertyValue(key, out var vb) ? vb : null;
        if (IsNumber(a) && IsNumber(b))
        {
            return ToNumber(a!).CompareTo(ToNumber(b!));
        }

        if (IsString(a) && IsString(b))
        {
            return string.CompareOrdinal(Str(a), Str(b));
        }

        return 0;
    }

    // ---------------------------------------------------------------- conversions

    private static void AddConversions(Dictionary<string, TemplateFunction> t)
    {
        t["string"] = TemplateFunction.Eager(1, 2, (a, in _) =>
        {
            var locale = a.Length > 1 ? Locale(a[1]) : "en-US";
            if (IsString(a[0]))
            {
                return a[0];
            }

            if (IsNumber(a[0]))
            {
                var d = ToNumber(a[0]!);
                var plain = FormatNumber(d);
                var dot = plain.IndexOf('.', StringComparison.Ordinal);
                return Text(FormatFixed(d, dot < 0 ? 0 : plain.Length - dot - 1, locale));
            }

            return Text(CommonStringify(a[0]));
        });
        t["formatNumber"] = TemplateFunction.Eager(2, 3, (a, in _) =>
        {
            var x = IsNumber(a[0]) ? ToNumber(a[0]!) : throw Error($"the first argument {Describe(a[0])} must be a number");
            var precision = IsNumber(a[1]) ? ToNumber(a[1]!) : throw Error($"the second argument {Describe(a[1])} must be a number");
            if (!IsInteger(precision) || precision < 0 || precision > 100)
            {
                throw Error("the precision must be an integer from 0 to 100");
            }

            var locale = a.Length > 2 ? Locale(a[2]) : "en-US";
            var scale = Math.Pow(10, precision);
            return Text(FormatFixed(JsRound(x * scale) / scale, (int)precision, locale));
        });
        t["float"] = TemplateFunction.Eager(1, 1, (a, in _) => a[0] switch
        {
            _ when IsNumber(a[0]) => a[0],
            _ when IsString(a[0]) => Number(JsParseFloat(Str(a[0])) is var d && !double.IsNaN(d) ? d : throw Error($"'{Str(a[0])}' is not a valid number")),
            _ => null,
        });
        t["int"] = TemplateFunction.Eager(1, 1, (a, in _) => a[0] switch
        {
            _ when IsNumber(a[0]) => Number(JsParseInt(FormatNumber(ToNumber(a[0]!)))),
            _ when IsString(a[0]) => Number(JsParseInt(Str(a[0])) is var d && !double.IsNaN(d) ? d : throw Error($"'{Str(a[0])}' is not a valid number")),
            _ => null,
        });
        t["json"] = TemplateFunction.Eager(1, 1, (a, in _) =>
        {
            if (!IsString(a[0]))
            {
                throw Error("json() parses a text of JSON; to write JSON text use string() or jsonStringify()");
            }

            try
            {
                return JsonNode.Parse(Str(a[0]).Trim(), documentOptions: new JsonDocumentOptions { MaxDepth = 64 });
            }
            catch (JsonException ex)
            {
                throw Error($"invalid JSON: {ex.Message}");
            }
        });
        t["jsonStringify"] = TemplateFunction.Eager(1, 1, (a, in _) => Text(ToJsonText(a[0])));
        t["base64"] = TemplateFunction.Eager(1, 1, (a, in _) => IsString(a[0]) ? Text(Convert.ToBase64String(Encoding.UTF8.GetBytes(Str(a[0])))) : a[0] is JsonArray bytes ? Text(Convert.ToBase64String(Bytes(bytes))) : null);
        t["base64ToString"] = TemplateFunction.Eager(1, 1, (a, in _) => Text(Encoding.UTF8.GetString(FromBase64(a[0], lenient: true))));
        t["base64ToBinary"] = TemplateFunction.Eager(1, 1, (a, in _) => ByteArray(FromBase64(a[0])));
        t["binary"] = TemplateFunction.Eager(1, 1, (a, in _) => ByteArray(Encoding.UTF8.GetBytes(IsString(a[0]) ? Str(a[0]) : throw Error($"{Describe(a[0])} is not a text"))));
        t["dataUri"] = TemplateFunction.Eager(1, 1, (a, in _) => Text("data:text/plain;charset=utf-8;base64," + Convert.ToBase64String(Latin1(IsString(a[0]) ? Str(a[0]) : throw Error($"{Describe(a[0])} is not a text")))));
        t["dataUriToBinary"] = TemplateFunction.Eager(1, 1, (a, in _) => ByteArray(Encoding.UTF8.GetBytes(IsString(a[0]) ? Str(a[0]) : throw Error($"{Describe(a[0])} is not a text"))));
        t["dataUriToString"] = TemplateFunction.Eager(1, 1, (a, in _) =>
        {
            var s = IsString(a[0]) ? Str(a[0]) : throw Error($"{Describe(a[0])} is not a text");
            var comma = s.IndexOf(',', StringComparison.Ordinal);
            return Text(Encoding.UTF8.GetString(FromBase64(Text(s[(comma + 1)..]))));
        });
        t["uriComponent"] = TemplateFunction.Eager(1, 1, (a, in _) => Text(EncodeUriComponent(IsString(a[0]) ? Str(a[0]) : throw Error($"{Describe(a[0])} is not a text"))));
        t["uriComponentToString"] = TemplateFunction.Eager(1, 1, (a, in _) =>
        {
            return Text(DecodeUriComponent(IsString(a[0]) ? Str(a[0]) : throw Error($"{Describe(a[0])} is not a text")));
        });
        t["isString"] = TemplateFunction.Eager(1, 1, (a, in _) => Bool(IsString(a[0])));
        t["isInteger"] = TemplateFunction.Eager(1, 1, (a, in _) => Bool(IsNumber(a[0]) && IsInteger(ToNumber(a[0]!))));
        t["isFloat"] = TemplateFunction.Eager(1, 1, (a, in _) => Bool(IsNumber(a[0]) && !IsInteger(ToNumber(a[0]!))));
        t["isArray"] = TemplateFunction.Eager(1, 1, (a, in _) => Bool(a[0] is JsonArray));
        // typeof x === 'object', as adaptive-expressions checks it: lists and null are objects too.
        t["isObject"] = TemplateFunction.Eager(1, 1, (a, in _) => Bool(a[0] is null or JsonObject or JsonArray));
        t["isBoolean"] = TemplateFunction.Eager(1, 1, (a, in _) => Bool(IsBoolean(a[0])));
        t["isDateTime"] = TemplateFunction.Eager(1, 1, (a, in _) => Bool(IsString(a[0]) && IsIsoTimestamp(Str(a[0]))));
    }

    private static byte[] Latin1(string s)
    {
        var bytes = new byte[s.Length];
        for (var i = 0; i < s.Length; i++)
        {
            bytes[i] = (byte)(s[i] & 0xFF);
        }

        return bytes;
    }

    private static byte[] Bytes(JsonArray list) => list.Select(b => IsNumber(b) ? (byte)((int)ToNumber(b!) & 0xFF) : throw Error("a binary value is a list of bytes")).ToArray();

    private static JsonArray ByteArray(byte[] bytes) => new(bytes.Select(b => (JsonNode?)JsonValue.Create((double)b)).ToArray());

    private static byte[] FromBase64(JsonNode? v, bool lenient = false)
    {
        var s = IsString(v) ? Str(v) : throw Error($"{Describe(v)} is not a text");
        try
        {
            return Convert.FromBase64String(s);
        }
        catch (FormatException) when (lenient)
        {
            // As Node's Buffer: characters outside base64 are skipped.
            var kept = new string(s.Where(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '/').ToArray());
            kept = kept[..(kept.Length - (kept.Length % 4 == 1 ? 1 : 0))];
            return Convert.FromBase64String(kept.PadRight(kept.Length + ((4 - (kept.Length % 4)) % 4), '='));
        }
        catch (FormatException)
        {
            throw Error($"'{s}' is not valid base64");
        }
    }

    /// <summary>encodeURIComponent: UTF-8, every character but A–Z a–z 0–9 - _ . ! ~ * ' ( ) escaped.</summary>
    private static string EncodeUriComponent(string s)
    {
        var sb = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(s))
        {
            var c = (char)b;
            if (b < 0x80 && (char.IsAsciiLetterOrDigit(c) || "-_.!~*'()".Contains(c, StringComparison.Ordinal)))
            {
                sb.Append(c);
            }
            else
            {
                sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }

    /// <summary>decodeURIComponent: %XX sequences are UTF-8 bytes; a malformed sequence is an error.</summary>
    private static string DecodeUriComponent(string s)
    {
        var sb = new StringBuilder();
        var bytes = new List<byte>();
        var strict = new UTF8Encoding(false, throwOnInvalidBytes: true);
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] != '%')
            {
                sb.Append(s[i]);
                continue;
            }

            bytes.Clear();
            while (i < s.Length && s[i] == '%')
            {
                if (i + 2 >= s.Length || !byte.TryParse(s.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
                {
                    throw Error("URI malformed");
                }

                bytes.Add(b);
                i += 3;
            }

            i--;
            try
            {
                sb.Append(strict.GetString(bytes.ToArray()));
            }
            catch (DecoderFallbackException)
            {
                throw Error("URI malformed");
            }
        }

        return sb.ToString();
    }

    /// <summary>JavaScript's parseFloat: the longest numeric prefix after leading white space; NaN when there is none.</summary>
    private static double JsParseFloat(string s)
    {
        var m = FloatPrefix().Match(s.TrimStart());
        if (!m.Success)
        {
            return double.NaN;
        }

        if (m.Value.EndsWith("Infinity", StringComparison.Ordinal))
        {
            return m.Value.StartsWith('-') ? double.NegativeInfinity : double.PositiveInfinity;
        }

        return double.Parse(m.Value, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    /// <summary>JavaScript's parseInt(s, 10): the leading decimal digits after white space and a sign; NaN when there are none.</summary>
    private static double JsParseInt(string s)
    {
        var m = IntPrefix().Match(s.TrimStart());
        return m.Success ? double.Parse(m.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : double.NaN;
    }

    [GeneratedRegex(@"^[+-]?(Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)")]
    private static partial Regex FloatPrefix();

    [GeneratedRegex(@"^[+-]?\d+")]
    private static partial Regex IntPrefix();

    private static string Locale(JsonNode? v) => IsString(v) ? Str(v) : throw Error($"{Describe(v)} is not a locale name");

    /// <summary>
    /// d3-format's <c>,.Nf</c> as adaptive-expressions uses it: fixed decimals (JavaScript's toFixed, exponent form
    /// from 1e21), digits grouped by thousands with the locale's separators.
    /// </summary>
    private static string FormatFixed(double d, int decimals, string locale)
    {
        var (decimalSeparator, groupSeparator) = Separators(locale);
        if (double.IsNaN(d))
        {
            return "NaN";
        }

        var negative = d < 0;
        var abs = Math.Abs(d);
        string body;
        if (double.IsInfinity(abs))
        {
            body = "Infinity";
        }
        else if (abs >= 1e21)
        {
            body = FormatNumber(abs);
        }
        else
        {
            body = abs.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        }

        var end = 0;
        while (end < body.Length && char.IsAsciiDigit(body[end]))
        {
            end++;
        }

        var integer = body[..end];
        var rest = body[end..];
        var grouped = new StringBuilder();
        for (var i = 0; i < integer.Length; i++)
        {
            if (i > 0 && (integer.Length - i) % 3 == 0)
            {
                grouped.Append(groupSeparator);
            }

            grouped.Append(integer[i]);
        }

        if (rest.StartsWith('.'))
        {
            rest = decimalSeparator + rest[1..];
        }

        // d3-format writes a negative number with the minus sign U+2212, and -0 without a sign.
        var text = grouped + rest;
        var isZero = !text.Any(c => c is >= '1' and <= '9');
        return (negative && !isZero ? "\u2212" : "") + text;
    }

    /// <summary>Decimal and thousands separators of the locales adaptive-expressions knows; others format as en-US.</summary>
    private static (string Decimal, string Group) Separators(string locale) => locale switch
    {
        "de-DE" or "es-ES" or "it-IT" or "nl-NL" or "pt-BR" or "ca-ES" or "mk-MK" => (",", "."),
        "fr-FR" or "fr-CA" or "ru-RU" or "uk-UA" or "cs-CZ" or "pl-PL" or "hu-HU" or "fi-FI" or "sv-SE" => (",", "\u00a0"),
        "de-CH" => (",", "'"),
        "es-MX" or "en-IN" or "en-GB" or "en-US" or "en-CA" or "en-IE" or "ja-JP" or "ko-KR" or "zh-CN" or "he-IL" or "es-BO" => (".", ","),
        _ => (".", ","),
    };

    // ---------------------------------------------------------------- objects

    private static void AddObjects(Dictionary<string, TemplateFunction> t)
    {
        t["addProperty"] = TemplateFunction.Eager(3, 3, (a, in _) =>
        {
            var obj = Obj(a[0]);
            var key = KeyText(a[1]);
            if (obj.ContainsKey(key))
            {
                throw Error($"{key} already exists");
            }

            obj[key] = Detach(a[2]);
            return obj;
        });
        t["setProperty"] = TemplateFunction.Eager(3, 3, (a, in _) =>
        {
            if (a[0] is not null and not JsonObject)
            {
                return a[0];
            }

            var obj = Obj(a[0]);
            obj[KeyText(a[1])] = Detach(a[2]);
            return obj;
        });
        t["removeProperty"] = TemplateFunction.Eager(2, 2, (a, in _) =>
        {
            if (a[0] is not null and not JsonObject)
            {
                return a[0];
            }

            var obj = Obj(a[0]);
            obj.Remove(KeyText(a[1]));
            return obj;
        });
        t["getProperty"] = TemplateFunction.Lazy(1, 2, (call, in s) =>
        {
            var first = Evaluate(call.Arguments[0], s);
            if (call.Arguments.Length == 1)
            {
                return IsString(first) ? PathValue(s.Data, Str(first)) : throw Error($"getProperty(): the single argument {call.Arguments[0]} is not a text");
            }

            var key = Evaluate(call.Arguments[1], s);
            return PathValue(first, key is null ? "" : ToInterpolatedText(key));
        });
        t["merge"] = TemplateFunction.Eager(1, Many, (a, in _) =>
        {
            var result = new JsonObject();
            foreach (var arg in a)
            {
                var objects = arg switch
                {
                    JsonObject o => [o],
                    JsonArray list => list.Select(i => i as JsonObject ?? throw Error("merge(): every item of a list must be an object")).ToList(),
                    _ => throw Error($"merge(): {Describe(arg)} must be an object or a list of objects"),
                };
                foreach (var o in objects)
                {
                    foreach (var (key, value) in o)
                    {
                        result[key] = value?.DeepClone();
                    }
                }
            }

            return result;
        });
    }

    /// <summary>A path such as <c>a.b[0]</c> looked up step by step in <paramref name="root"/>; null when a step is missing.</summary>
    private static JsonNode? PathValue(JsonNode? root, string path)
    {
        var current = root;
        foreach (var raw in path.Split(['.', '[', ']'], StringSplitOptions.RemoveEmptyEntries))
        {
            var part = raw.Length >= 2 && raw[0] is '\'' or '"' && raw[^1] == raw[0] ? raw[1..^1] : raw;
            current = current is JsonArray list && int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i)
                ? i >= 0 && i < list.Count ? list[i] : null
                : Property(current, part);
            if (current is null)
            {
                return null;
            }
        }

        return current;
    }

    /// <summary>A copy of the object argument (adaptive-expressions changes it in place; templates never change their data).</summary>
    private static JsonObject Obj(JsonNode? v) => v is JsonObject o ? (JsonObject)o.DeepClone() : throw Error($"{Describe(v)} is not an object");

    private static string KeyText(JsonNode? v) => v is null ? "null" : IsString(v) ? Str(v) : ToInterpolatedText(v);

    // ---------------------------------------------------------------- URIs

    private static void AddUris(Dictionary<string, TemplateFunction> t)
    {
        t["uriHost"] = Uri1(u => u.IdnHost);
        t["uriPath"] = Uri1(u => u.AbsolutePath);
        t["uriPathAndQuery"] = Uri1(u => u.PathAndQuery);
        // JavaScript's URL has no port for a scheme's default one; adaptive-expressions then gives NaN.
        t["uriPort"] = TemplateFunction.Eager(1, 1, (a, in _) => ParseUri(a[0]) is var u && u.IsDefaultPort ? Number(double.NaN) : Number(u.Port));
        t["uriQuery"] = Uri1(u => u.Query);
        t["uriScheme"] = Uri1(u => u.Scheme);
    }

    private static TemplateFunction Uri1(Func<Uri, string> part) => TemplateFunction.Eager(1, 1, (a, in _) => Text(part(ParseUri(a[0]))));

    private static Uri ParseUri(JsonNode? v)
    {
        var s = IsString(v) ? Str(v) : throw Error($"{Describe(v)} is not a URI text");
        return Uri.TryCreate(s, UriKind.Absolute, out var uri) ? uri : throw Error($"'{s}' is not an absolute URI");
    }
}
