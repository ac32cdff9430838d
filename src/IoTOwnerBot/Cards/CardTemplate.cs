using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IoTOwnerBot.Cards.Templating;

namespace IoTOwnerBot.Cards;

/// <summary>
/// A card template in the Adaptive Card Template Language, parsed once and rendered many times (thread-safe).
/// Supports <c>${…}</c> binding and string interpolation, <c>$root</c>, <c>$data</c> (an expression or a literal
/// array/object; object scope and array repetition), <c>$index</c>, <c>$when</c>, <c>$host</c> and the whole
/// Adaptive Expressions language (operators, lambdas, the prebuilt functions in <see cref="SupportedFunctions"/>).
/// </summary>
/// <remarks>
/// Expansion follows the official adaptivecards-templating 2.x engine (checked by the conformance tests):
/// a string that is exactly one <c>${…}</c> keeps the expression's JSON type; <c>$when</c> false drops the
/// object (from an array) or makes it null (as a property); an object with an array <c>$data</c> repeats and
/// its copies are spliced into the surrounding array; nulls are dropped from arrays.
/// Where the official engine makes a broken or unsafe card we do not (cards/README.md lists every difference):
/// a lone path that does not resolve, an unknown function, a <c>$when</c> that is not a boolean, a null or an
/// object interpolated into text all throw <see cref="CardTemplateException"/> naming the template, the location
/// and the expression; values interpolated into an <c>Action.Http</c> body are JSON-escaped.
/// Values from data are inserted as JSON values, never re-parsed as template text, so untrusted text such as
/// <c>${x}</c> or quotes in an incident title stays text.
/// </remarks>
public sealed class CardTemplate
{
    private static readonly HashSet<string> ReservedKeys = new(StringComparer.Ordinal)
    {
        "$data", "$when", "$root", "$index", "$host", "$_acTemplateVersion",
    };

    private readonly Node _root;

    private CardTemplate(string name, Node root)
    {
        Name = name;
        _root = root;
    }

    /// <summary>The template's name in errors, e.g. <c>owner-question/email.v1.json</c>.</summary>
    public string Name { get; }

    /// <summary>Expression functions templates may call.</summary>
    public static IReadOnlyCollection<string> SupportedFunctions => TemplateFunctions.Names;

    /// <summary>Deepest nesting of objects and arrays a template may have.</summary>
    public const int MaxJsonDepth = 64;

    /// <summary>Parses a template. Syntax errors, unknown functions and wrong argument counts are reported here.</summary>
    public static CardTemplate Parse(string name, string json)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(json);
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false, MaxDepth = MaxJsonDepth });
        }
        catch (JsonException ex) when (ex.Message.Contains("depth", StringComparison.OrdinalIgnoreCase))
        {
            throw new CardTemplateException(name, "", null, $"the template is nested deeper than {MaxJsonDepth} levels", ex);
        }
        catch (JsonException ex)
        {
            throw new CardTemplateException(name, "", null, $"not valid JSON: {ex.Message}", ex);
        }

        return new CardTemplate(name, Compile(name, node, ""));
    }

    /// <summary>
    /// Renders the template with <paramref name="data"/> as <c>$root</c> and <paramref name="host"/> as <c>$host</c>
    /// and returns the card's JSON text (escaped as <see cref="JsonNode.ToJsonString"/> does: <c>&lt; &gt; &amp;</c>
    /// and non-ASCII as <c>\uXXXX</c>). <paramref name="time"/> is the clock of <c>utcNow()</c> and relative-time
    /// functions. The compiled tree writes straight to JSON: no card tree is built.
    /// </summary>
    public string RenderJson(JsonNode data, JsonNode? host = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var output = RenderOutput.Rent();
        try
        {
            var env = new RenderEnvironment(data, host, time ?? TimeProvider.System);
            if (!_root.Write(this, output.Writer, new Scope(env, data, null), inArray: false))
            {
                throw new CardTemplateException(Name, "", null, "the whole template was removed by $when");
            }

            return output.ToText();
        }
        finally
        {
            RenderOutput.Return(output);
        }
    }

    /// <summary>Renders the template (see <see cref="RenderJson"/>) and parses the result.</summary>
    public JsonNode Render(JsonNode data, JsonNode? host = null, TimeProvider? time = null) =>
        JsonNode.Parse(RenderJson(data, host, time))!;

    /// <summary>Renders a template whose root is an object, e.g. an Adaptive Card, to its JSON text.</summary>
    public string RenderObjectJson(JsonNode data, JsonNode? host = null, TimeProvider? time = null)
    {
        var json = RenderJson(data, host, time);
        return json.StartsWith('{') ? json : throw new CardTemplateException(Name, "", null, "the template did not render to a JSON object");
    }

    /// <summary>Renders a template whose root is an object, e.g. an Adaptive Card.</summary>
    public JsonObject RenderObject(JsonNode data, JsonNode? host = null, TimeProvider? time = null) =>
        JsonNode.Parse(RenderObjectJson(data, host, time))!.AsObject();

    private static Node Compile(string name, JsonNode? node, string pointer)
    {
        switch (node)
        {
            case JsonObject obj:
                {
                    Expr? data = null;
                    Expr? when = null;
                    var props = new List<(string Key, Node Value)>();
                    foreach (var (key, value) in obj)
                    {
                        var childPointer = pointer + "/" + EscapePointer(key);
                        if (key == "$data")
                        {
                            // A literal $data (an array or object written in the template) is data, not template.
                            data = value?.GetValueKind() == JsonValueKind.String && value.GetValue<string>().Contains("${", StringComparison.Ordinal)
                                ? CompileDirective(name, value, childPointer)
                                : new ConstantExpr(value?.DeepClone(), "literal $data");
                        }
                        else if (key == "$when")
                        {
                            when = CompileDirective(name, value, childPointer);
                        }
                        else if (key == "body" && IsHttpAction(obj) && value?.GetValueKind() == JsonValueKind.String)
                        {
                            // An Action.Http body is JSON text: values interpolated into it are JSON-escaped, so data can
                            // never break out of a JSON string (the official engine inserts them raw).
                            var text = value.GetValue<string>();
                            props.Add((key, CompileString(name, text, childPointer, jsonEscape: true) ?? new LiteralNode(childPointer, value.DeepClone())));
                        }
                        else if (!ReservedKeys.Contains(key))
                        {
                            props.Add((key, Compile(name, value, childPointer)));
                        }
                    }

                    return new ObjectNode(pointer, props.Select(p => (JsonEncodedText.Encode(p.Key), p.Value)).ToArray(), data, when);
                }

            case JsonArray array:
                return new ArrayNode(pointer, array.Select((item, i) => Compile(name, item, pointer + "/" + i)).ToArray());
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                return CompileString(name, value.GetValue<string>(), pointer) ?? new LiteralNode(pointer, value.DeepClone());
            default:
                return new LiteralNode(pointer, node?.DeepClone());
        }
    }

    private static bool IsHttpAction(JsonObject obj) =>
        obj.TryGetPropertyValue("type", out var type) && type?.GetValueKind() == JsonValueKind.String && type.GetValue<string>() == "Action.Http";

    private static Expr CompileDirective(string name, JsonNode? value, string pointer)
    {
        var text = value?.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
        var compiled = text is null ? null : CompileString(name, text, pointer);
        return compiled is ExpressionNode single
            ? single.Expression
            : throw new CardTemplateException(name, pointer, null, "$data and $when must be a single ${…} expression");
    }

    /// <summary>Splits "a ${x} b" into literal and expression parts; null when the string has no expression.</summary>
    private static Node? CompileString(string name, string text, string pointer, bool jsonEscape = false)
    {
        if (!text.Contains("${", StringComparison.Ordinal))
        {
            return null;
        }

        var parts = new List<object>();
        var literal = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length && text[i + 1] is '$' or '`')
            {
                literal.Append(text[i + 1]);
                i += 2;
            }
            else if (c == '$' && i + 1 < text.Length && text[i + 1] == '{')
            {
                if (literal.Length > 0)
                {
                    parts.Add(literal.ToString());
                    literal.Clear();
                }

                Expr expr;
                int end;
                try
                {
                    expr = ExpressionParser.ParseEmbedded(text, i + 2, out end);
                }
                catch (ExpressionException ex)
                {
                    var close = text.IndexOf('}', i);
                    var source = close < 0 ? text[(i + 2)..] : text[(i + 2)..close];
                    throw new CardTemplateException(name, pointer, source, ex.Message, ex);
                }

                parts.Add(new Embedded(expr, text[(i + 2)..end]));
                i = end + 1;
            }
            else
            {
                literal.Append(c);
                i++;
            }
        }

        if (literal.Length > 0)
        {
            parts.Add(literal.ToString());
        }

        // As the official engine: a lone ${…} keeps its value's type, except a lone literal (${5}, ${true}) which is text.
        return parts is [Embedded only] && only.Expression is not ConstantExpr
            ? new ExpressionNode(pointer, only.Expression, only.Source)
            : new InterpolationNode(pointer, parts, jsonEscape);
    }

    private static string EscapePointer(string key) => key.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    private JsonNode? Evaluate(Expr expr, string source, string pointer, in Scope scope)
    {
        try
        {
            var value = Evaluator.Evaluate(expr, scope);
            if (value is null && Evaluator.IsPath(expr) && !Evaluator.PathResolves(expr, scope))
            {
                // The official engine would show the literal ${path} in the card; a card with a hole is an error here.
                throw new ExpressionException($"path '{expr}' does not resolve in the data");
            }

            return value;
        }
        catch (ExpressionException ex)
        {
            throw new CardTemplateException(Name, pointer, source, ex.Message, ex);
        }
    }

    /// <summary>Starts an object or array in the output, refusing a card nested deeper than <see cref="MaxJsonDepth"/>.</summary>
    private void CheckDepth(Utf8JsonWriter writer, string pointer)
    {
        if (writer.CurrentDepth >= MaxJsonDepth)
        {
            throw new CardTemplateException(Name, pointer, null, $"the card would be nested deeper than {MaxJsonDepth} levels");
        }
    }

    private sealed record Embedded(Expr Expression, string Source);

    /// <summary>
    /// A compiled template value. <see cref="Write"/> writes what it renders to: in a value position exactly one JSON
    /// value (null when removed), inside an array zero or more items (a removed value is dropped, an array is spliced
    /// in, as in the official engine). Returns false when it rendered to null or nothing.
    /// </summary>
    private abstract class Node(string pointer)
    {
        public string Pointer { get; } = pointer;

        public abstract bool Write(CardTemplate template, Utf8JsonWriter writer, in Scope scope, bool inArray);
    }

    private sealed class LiteralNode(string pointer, JsonNode? value) : Node(pointer)
    {
        // Strings are encoded once; other literals (numbers as written in the template, true, false) are written as they are.
        private readonly JsonEncodedText? _text = value?.GetValueKind() == JsonValueKind.String ? JsonEncodedText.Encode(value.GetValue<string>()) : null;

        public override bool Write(CardTemplate template, Utf8JsonWriter writer, in Scope scope, bool inArray)
        {
            if (value is null)
            {
                if (!inArray)
                {
                    writer.WriteNullValue();
                }

                return false;
            }

            if (_text is { } text)
            {
                writer.WriteStringValue(text);
            }
            else
            {
                value.WriteTo(writer);
            }

            return true;
        }
    }

    private sealed class ExpressionNode(string pointer, Expr expression, string source) : Node(pointer)
    {
        public Expr Expression { get; } = expression;

        public override bool Write(CardTemplate template, Utf8JsonWriter writer, in Scope scope, bool inArray)
        {
            var value = template.Evaluate(Expression, source, Pointer, scope);
            try
            {
                switch (value)
                {
                    case null when inArray:
                        return false;
                    case JsonArray items when inArray:
                        // As in the official engine: a list produced inside an array is spliced in.
                        foreach (var item in items)
                        {
                            Evaluator.WriteOutput(writer, item, MaxJsonDepth);
                        }

                        return items.Count > 0;
                    default:
                        Evaluator.WriteOutput(writer, value, MaxJsonDepth);
                        return value is not null;
                }
            }
            catch (ExpressionException ex)
            {
                throw new CardTemplateException(template.Name, Pointer, source, ex.Message, ex);
            }
        }
    }

    private sealed class InterpolationNode(string pointer, IReadOnlyList<object> parts, bool jsonEscape) : Node(pointer)
    {
        [ThreadStatic]
        private static StringBuilder? _cached;

        public override bool Write(CardTemplate template, Utf8JsonWriter writer, in Scope scope, bool inArray)
        {
            var sb = _cached ?? new StringBuilder(256);
            _cached = null;
            try
            {
                foreach (var part in parts)
                {
                    if (part is string text)
                    {
                        sb.Append(text);
                        continue;
                    }

                    var embedded = (Embedded)part;
                    var value = template.Evaluate(embedded.Expression, embedded.Source, Pointer, scope);
                    try
                    {
                        var piece = Evaluator.ToInterpolatedText(value);
                        if (jsonEscape)
                        {
                            Evaluator.AppendJsonStringContent(sb, piece);
                        }
                        else
                        {
                            sb.Append(piece);
                        }
                    }
                    catch (ExpressionException ex)
                    {
                        throw new CardTemplateException(template.Name, Pointer, embedded.Source, ex.Message, ex);
                    }
                }

                WriteString(writer, sb);
                return true;
            }
            finally
            {
                sb.Clear();
                if (sb.Capacity <= 16 * 1024)
                {
                    _cached = sb;
                }
            }
        }

        private static void WriteString(Utf8JsonWriter writer, StringBuilder sb)
        {
            if (sb.Length <= 512)
            {
                Span<char> chars = stackalloc char[sb.Length];
                sb.CopyTo(0, chars, sb.Length);
                writer.WriteStringValue(chars);
                return;
            }

            var rented = ArrayPool<char>.Shared.Rent(sb.Length);
            try
            {
                sb.CopyTo(0, rented, sb.Length);
                writer.WriteStringValue(rented.AsSpan(0, sb.Length));
            }
            finally
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    private sealed class ArrayNode(string pointer, IReadOnlyList<Node> items) : Node(pointer)
    {
        public override bool Write(CardTemplate template, Utf8JsonWriter writer, in Scope scope, bool inArray)
        {
            // Inside an array an array's items are spliced in, as in the official engine.
            if (!inArray)
            {
                template.CheckDepth(writer, Pointer);
                writer.WriteStartArray();
            }

            var any = false;
            foreach (var item in items)
            {
                any |= item.Write(template, writer, scope, inArray: true);
            }

            if (!inArray)
            {
                writer.WriteEndArray();
                return true;
            }

            return any;
        }
    }

    private sealed class ObjectNode(string pointer, (JsonEncodedText Key, Node Value)[] props, Expr? data, Expr? when) : Node(pointer)
    {
        private readonly string? _dataSource = data?.ToString();
        private readonly string? _whenSource = when?.ToString();

        public override bool Write(CardTemplate template, Utf8JsonWriter writer, in Scope scope, bool inArray)
        {
            if (data is null)
            {
                return WriteOne(template, writer, scope, inArray);
            }

            var context = template.Evaluate(data, _dataSource!, Pointer + "/$data", scope);
            if (context is not JsonArray items)
            {
                return WriteOne(template, writer, scope with { Data = context }, inArray);
            }

            // A list $data repeats the object: none is null, one is the object, more are a list (spliced into an array).
            Span<bool> included = items.Count <= 256 ? stackalloc bool[items.Count] : new bool[items.Count];
            var count = 0;
            for (var i = 0; i < items.Count; i++)
            {
                included[i] = Include(template, scope with { Data = items[i], Index = i });
                count += included[i] ? 1 : 0;
            }

            if (count == 0)
            {
                if (!inArray)
                {
                    writer.WriteNullValue();
                }

                return false;
            }

            var asList = count > 1 && !inArray;
            if (asList)
            {
                template.CheckDepth(writer, Pointer);
                writer.WriteStartArray();
            }

            for (var i = 0; i < items.Count; i++)
            {
                if (included[i])
                {
                    Expand(template, writer, scope with { Data = items[i], Index = i });
                }
            }

            if (asList)
            {
                writer.WriteEndArray();
            }

            return true;
        }

        private bool WriteOne(CardTemplate template, Utf8JsonWriter writer, in Scope scope, bool inArray)
        {
            if (Include(template, scope))
            {
                Expand(template, writer, scope);
                return true;
            }

            if (!inArray)
            {
                writer.WriteNullValue();
            }

            return false;
        }

        private bool Include(CardTemplate template, in Scope scope)
        {
            if (when is null)
            {
                return true;
            }

            var value = template.Evaluate(when, _whenSource!, Pointer + "/$when", scope);
            return value?.GetValueKind() switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw new CardTemplateException(template.Name, Pointer + "/$when", _whenSource, "$when must evaluate to true or false"),
            };
        }

        private void Expand(CardTemplate template, Utf8JsonWriter writer, in Scope scope)
        {
            template.CheckDepth(writer, Pointer);
            writer.WriteStartObject();
            foreach (var (key, value) in props)
            {
                writer.WritePropertyName(key);
                value.Write(template, writer, scope, inArray: false);
            }

            writer.WriteEndObject();
        }
    }

    /// <summary>A reusable output buffer and writer per thread: rendering allocates only the final text.</summary>
    private sealed class RenderOutput
    {
        [ThreadStatic]
        private static RenderOutput? _cached;

        private readonly ArrayBufferWriter<byte> _buffer = new(16 * 1024);

        private RenderOutput()
        {
            // The default encoder, as JsonNode.ToJsonString: the text is safe inside an HTML <script> block.
            Writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { MaxDepth = MaxJsonDepth + 1 });
        }

        public Utf8JsonWriter Writer { get; }

        public static RenderOutput Rent()
        {
            var output = _cached ?? new RenderOutput();
            _cached = null;
            return output;
        }

        public static void Return(RenderOutput output)
        {
            output._buffer.ResetWrittenCount();
            output.Writer.Reset();
            if (output._buffer.Capacity <= 256 * 1024)
            {
                _cached = output;
            }
        }

        public string ToText()
        {
            Writer.Flush();
            return Encoding.UTF8.GetString(_buffer.WrittenSpan);
        }
    }
}
