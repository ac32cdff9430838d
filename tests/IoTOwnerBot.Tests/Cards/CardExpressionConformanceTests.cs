using System.Text.Json.Nodes;
using IoTOwnerBot.Cards;

namespace IoTOwnerBot.Tests.Cards;

/// <summary>
/// Every function and operator, in normal, edge, null, wrong-type, unicode and huge cases
/// (conformance/expressions.txt), expanded by our engine and by the official adaptivecards-templating +
/// adaptive-expressions engine (one node process for the whole batch), and compared deeply. Each expression is
/// checked alone (<c>"${e}"</c>, which keeps the value's type) and inside text (<c>"[${e}]"</c>).
/// </summary>
/// <remarks>
/// A case may differ only in the deliberate ways listed in cards/README.md ("Deliberate differences"), each
/// recognised here by what both engines produce: <c>missing-path</c> (ours equals the official engine's own
/// language semantics, i.e. the same expansion without its <c>${path}</c> text substitution, or ours fails where the
/// official card would show <c>${…}</c>), <c>lone-concat</c>, <c>object-text</c>, <c>non-finite</c>,
/// <c>null-as-missing</c> (ours equals the official expansion of the same data with the null left out) and
/// <c>undefined-as-null</c>. Two kinds cannot be recognised from the outputs and are marked in expressions.txt
/// with <c>## key</c>; a marked case must really differ, so a stale mark fails too.
/// </remarks>
public class CardExpressionConformanceTests
{
    private static readonly JsonObject Data = new()
    {
        ["n"] = 3,
        ["f"] = 2.5,
        ["neg"] = -7,
        ["zero"] = 0,
        ["tiny"] = 0.000001,
        ["huge"] = JsonNode.Parse("12345678901234567890"),
        ["s"] = "Hello World",
        ["e"] = "",
        ["u"] = "Zoë 😀 — ünïcödé",
        ["nul"] = null,
        ["t"] = true,
        ["fa"] = false,
        ["arr"] = new JsonArray(3, 1, 2),
        ["strs"] = new JsonArray("b", "a", "c"),
        ["objs"] = new JsonArray(new JsonObject { ["name"] = "b", ["v"] = 2 }, new JsonObject { ["name"] = "a", ["v"] = 1 }),
        ["o"] = new JsonObject { ["k"] = "v", ["n"] = 1 },
        ["nested"] = JsonNode.Parse("[[1,[2]],3]"),
        ["ts"] = "2026-03-14T08:42:10.000Z",
        ["ts2"] = "2026-01-02T03:04:05+01:00",
        ["url"] = "https://contoso.example:8443/a/b?x=1&y=2#f",
        ["long"] = string.Concat(Enumerable.Repeat("abcdé", 200)),
    };

    private static readonly string[] MarkedDifferences = ["data-unchanged", "bytes-as-list"];

    private static List<(string Expression, string? Mark)> Expressions { get; } = File.ReadAllLines(Path.Combine(CardTestSupport.ConformanceDirectory, "expressions.txt"))
        .Where(l => l.Length > 0 && !l.StartsWith('#'))
        .Select(l => l.Split("  ## ") is [var e, var mark] ? (e, (string?)mark.Trim()) : (l, null))
        .ToList();

    [Fact]
    public async Task EveryFunctionAndOperator_ExpandsLikeTheOfficialEngine()
    {
        await CardConformanceTests.EnsureOfficialEngineInstalledAsync();
        var jobs = new List<(string Name, string Expression, string? Mark, JsonObject Template)>();
        foreach (var (expression, mark) in Expressions)
        {
            Assert.True(mark is null || MarkedDifferences.Contains(mark), $"unknown mark '{mark}' on {expression}");
            jobs.Add((expression, expression, mark, new JsonObject { ["v"] = "${" + expression + "}" }));
            jobs.Add(("[…] " + expression, expression, mark, new JsonObject { ["v"] = "[${" + expression + "}]" }));
        }

        var withoutNull = Data.DeepClone().AsObject();
        withoutNull.Remove("nul");
        var input = new JsonArray();
        foreach (var job in jobs)
        {
            input.Add(new JsonObject { ["name"] = job.Name, ["template"] = job.Template.DeepClone(), ["data"] = Data.DeepClone(), ["language"] = true });
            input.Add(new JsonObject { ["name"] = job.Name, ["template"] = job.Template.DeepClone(), ["data"] = withoutNull.DeepClone(), ["language"] = true });
        }

        var official = JsonNode.Parse(await CardConformanceTests.RunAsync("node", "expand.js", input.ToJsonString()))!.AsArray();

        Assert.Equal(2 * jobs.Count, official.Count);
        var mismatches = new List<string>();
        var outcomes = new Dictionary<string, int>();
        var marked = new HashSet<string>();
        var singleOutcome = "";
        JsonNode? singleValue = null;
        for (var i = 0; i < jobs.Count; i++)
        {
            string outcome;
            string detail;
            try
            {
                outcome = Compare(jobs[i].Expression, jobs[i].Template, official[2 * i]!, official[(2 * i) + 1]!, out detail);
                var single = i % 2 == 0;
                if (single)
                {
                    singleOutcome = outcome;
                    singleValue = SingleValue(jobs[i].Template);
                }
                else if (outcome == "different" && singleOutcome.EndsWith("(deliberate)", StringComparison.Ordinal) && TextOfSingle(singleValue) is { } text && TextForm(jobs[i].Template) == text)
                {
                    // The text form is the text of the single value, which differs deliberately.
                    outcome = "text of a deliberately different value";
                }

                if (jobs[i].Mark is { } mark && outcome == "different")
                {
                    outcome = $"{mark} (deliberate)";
                    marked.Add(jobs[i].Expression);
                }
            }
            catch (InvalidOperationException ex)
            {
                (outcome, detail) = ("different", "not comparable: " + ex.Message);
            }

            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            if (outcome == "different")
            {
                mismatches.Add($"{jobs[i].Name}\n    {detail}");
            }
        }

        foreach (var (outcome, count) in outcomes.OrderByDescending(o => o.Value))
        {
            Console.WriteLine($"conformance: {count,5} {outcome}");
        }

        Assert.All(Expressions.Where(e => e.Mark is not null), e => Assert.True(marked.Contains(e.Expression), $"{e.Expression} is marked {e.Mark} but expands like the official engine"));
        Assert.True(Expressions.Count >= 400, $"only {Expressions.Count} expressions");
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {jobs.Count} cases differ ({string.Join(", ", outcomes.Select(o => $"{o.Key}: {o.Value}"))}):\n" + string.Join("\n", mismatches));
    }

    private static JsonNode? SingleValue(JsonObject template)
    {
        try
        {
            return CardTemplate.Parse("conformance.json", template.ToJsonString()).Render(Data.DeepClone())["v"];
        }
        catch (CardTemplateException)
        {
            return null;
        }
    }

    private static string? TextForm(JsonObject template)
    {
        try
        {
            return CardTemplate.Parse("conformance.json", template.ToJsonString()).Render(Data.DeepClone())["v"]?.GetValue<string>();
        }
        catch (CardTemplateException)
        {
            return null;
        }
    }

    private static string? TextOfSingle(JsonNode? value)
    {
        try
        {
            return CardTemplate.Parse("text.json", """{"v":"[${v}]"}""").Render(new JsonObject { ["v"] = value?.DeepClone() })["v"]!.GetValue<string>();
        }
        catch (CardTemplateException)
        {
            return null;
        }
    }

    private static string Compare(string expression, JsonObject template, JsonNode official, JsonNode officialWithoutNull, out string detail)
    {
        JsonNode? ours = null;
        string? ourError = null;
        try
        {
            ours = CardTemplate.Parse("conformance.json", template.ToJsonString()).Render(Data.DeepClone());
        }
        catch (CardTemplateException ex)
        {
            ourError = ex.Message;
        }

        var theirs = official["card"];
        var theirError = official["error"]?.GetValue<string>();
        var language = official["language"]?["card"];
        var languageWithoutNull = officialWithoutNull["language"]?["card"];
        detail = $"ours: {ours?.ToJsonString() ?? "error: " + ourError}\n    official: {theirs?.ToJsonString() ?? "error: " + theirError}\n    official without ${{}} substitution: {language?.ToJsonString() ?? "error: " + official["language"]?["error"]}";
        var theirText = theirs?.ToJsonString() ?? "";
        var unresolved = theirText.Contains("${", StringComparison.Ordinal);
        var loneConcat = (expression.StartsWith("concat(", StringComparison.Ordinal) && expression.EndsWith(')')) || expression.Contains(" & ", StringComparison.Ordinal);
        if (ours is not null)
        {
            if (theirs is not null && JsonNode.DeepEquals(ours, theirs))
            {
                return "identical";
            }

            if (language is not null && JsonNode.DeepEquals(ours, language) && !(theirs is not null && JsonNode.DeepEquals(theirs, language)))
            {
                return loneConcat && template["v"]!.GetValue<string>().StartsWith("${", StringComparison.Ordinal) ? "lone-concat (deliberate)" : "missing-path (deliberate)";
            }

            if (((theirs is JsonObject card && !card.ContainsKey("v")) || (language is JsonObject languageCard && !languageCard.ContainsKey("v"))) && ours["v"] is null)
            {
                return "undefined-as-null (deliberate)";
            }

            if (expression.Contains("nul", StringComparison.Ordinal) && languageWithoutNull is not null && JsonNode.DeepEquals(ours, languageWithoutNull))
            {
                return "null-as-missing (deliberate)";
            }

            return "different";
        }

        if (theirError is not null)
        {
            return "both fail";
        }

        if (unresolved || (ourError!.Contains("does not resolve", StringComparison.Ordinal) && theirs is JsonObject { Count: 0 }))
        {
            return "missing-path, loud (deliberate)";
        }

        if (theirText.Contains("[object Object]", StringComparison.Ordinal))
        {
            return "object-text (deliberate)";
        }

        if (ourError.Contains("not a finite number", StringComparison.Ordinal) && theirs?["v"] is null)
        {
            return "non-finite (deliberate)";
        }

        return "different";
    }
}
