using System.Text.Json.Nodes;

namespace IoTOwnerBot.Cards.Templating;

/// <summary>Evaluates a call with its unevaluated arguments (for lazy functions such as <c>if</c> and lambdas).</summary>
internal delegate JsonNode? LazyInvoker(CallExpr call, in Scope scope);

/// <summary>Evaluates a call from its evaluated arguments.</summary>
internal delegate JsonNode? EagerInvoker(JsonNode?[] args, in Scope scope);

/// <summary>One prebuilt function (or operator) of the expression language: its argument counts and its evaluation.</summary>
internal sealed class TemplateFunction
{
    private readonly LazyInvoker? _lazy;
    private readonly EagerInvoker? _eager;

    private TemplateFunction(int min, int max, LazyInvoker? lazy, EagerInvoker? eager, bool lambda)
    {
        Min = min;
        Max = max;
        _lazy = lazy;
        _eager = eager;
        TakesLambda = lambda;
    }

    public int Min { get; }

    public int Max { get; }

    /// <summary>Whether the second argument names the variable of a lambda (<c>where(list, x, x &gt; 1)</c>).</summary>
    public bool TakesLambda { get; }

    public static TemplateFunction Eager(int min, int max, EagerInvoker invoke) => new(min, max, null, invoke, false);

    public static TemplateFunction Lazy(int min, int max, LazyInvoker invoke) => new(min, max, invoke, null, false);

    public static TemplateFunction Lambda(LazyInvoker invoke) => new(3, 3, invoke, null, true);

    public void CheckArity(string name, Expr[] args)
    {
        var count = args.Length;
        if (count < Min || count > Max)
        {
            var expected = Min == Max ? $"{Min}" : Max == int.MaxValue ? $"at least {Min}" : $"{Min} to {Max}";
            throw new ExpressionException($"{name}() takes {expected} argument(s), not {count}");
        }

        if (TakesLambda && args[1] is not IdentifierExpr)
        {
            throw new ExpressionException($"{name}() needs a variable name as its second argument, e.g. {name}(items, x, x.name)");
        }
    }

    public JsonNode? Invoke(CallExpr call, in Scope scope)
    {
        if (_lazy is not null)
        {
            return _lazy(call, scope);
        }

        var args = call.Arguments;
        var values = new JsonNode?[args.Length];
        for (var i = 0; i < args.Length; i++)
        {
            values[i] = Evaluator.Evaluate(args[i], scope);
        }

        try
        {
            return _eager!(values, scope);
        }
        catch (ExpressionException ex) when (!ex.Message.StartsWith(call.Name + "(", StringComparison.Ordinal) && !ex.Message.Contains("nested deeper", StringComparison.Ordinal))
        {
            throw new ExpressionException($"{call.Name}(): {ex.Message}");
        }
    }
}
