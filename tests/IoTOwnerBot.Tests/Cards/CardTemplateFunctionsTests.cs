using System.Globalization;
using System.Text.Json.Nodes;
using IoTOwnerBot.Cards;
using IoTOwnerBot.Cards.Templating;
using Microsoft.Extensions.Time.Testing;

namespace IoTOwnerBot.Tests.Cards;

/// <summary>
/// Which functions a template may call: every function of the official engine's table is either implemented or
/// refused at load with the reason (never half-implemented), and results do not depend on the thread's culture.
/// </summary>
public class CardTemplateFunctionsTests
{
    /// <summary>Functions of the reference whose official semantics a card cannot have (cards/README.md lists them).</summary>
    private static readonly string[] Refused =
    [
        "isDefinite", "isTime", "isDuration", "isDate", "isTimeRange", "isDateRange", "isPresent", "getNextViableDate",
        "getPreviousViableDate", "getNextViableTime", "getPreviousViableTime", "resolve", "dateReadBack",
        "xml", "xPath", "jPath", "setPathToValue", "ignore", "optional", "stringOrValue",
    ];

    public static TheoryData<string> RefusedFunctions() => new(Refused);

    /// <summary>adaptive-expressions' own evaluators for paths and indexing, in its function table but not callable by name.</summary>
    private static readonly string[] InternalEvaluators = ["Accessor", "Element"];

    [Theory]
    [MemberData(nameof(RefusedFunctions))]
    public void RefusedFunction_FailsAtLoad_NamingTemplateLocationAndFunction(string function)
    {
        var template = new JsonObject
        {
            ["type"] = "AdaptiveCard",
            ["body"] = new JsonArray(
                new JsonObject { ["type"] = "TextBlock", ["text"] = "fine" },
                new JsonObject { ["type"] = "TextBlock", ["text"] = "Due: ${if(exists(x), " + function + "(x), 'n/a')}" }),
        };

        var ex = Assert.Throws<CardTemplateException>(() => CardTemplate.Parse("owner-question/email.v9.json", template.ToJsonString()));

        Assert.Equal("owner-question/email.v9.json", ex.TemplateName);
        Assert.Equal("/body/1/text", ex.Location);
        Assert.StartsWith("Card template 'owner-question/email.v9.json' at '/body/1/text', expression", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"function '{function}' is not supported: ", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(function, CardTemplate.SupportedFunctions);
    }

    [Theory]
    [MemberData(nameof(RefusedFunctions))]
    public void RefusedFunction_FailsAtLoad_InsideALambdaAndAsAnOperand(string function)
    {
        var lambda = Assert.Throws<CardTemplateException>(() => CardTemplate.Parse("t.json", """{"v":"${where(xs, x, """ + function + """(x))}"}"""));
        var operand = Assert.Throws<CardTemplateException>(() => CardTemplate.Parse("t.json", """{"$when":"${1 + """ + function + """() > 2}","v":1}"""));

        Assert.Contains($"function '{function}' is not supported", lambda.Message, StringComparison.Ordinal);
        Assert.Equal("/$when", operand.Location);
        Assert.Contains($"function '{function}' is not supported", operand.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryFunctionOfTheOfficialEngine_IsImplementedOrRefused()
    {
        await CardConformanceTests.EnsureOfficialEngineInstalledAsync();
        var official = (await CardConformanceTests.RunAsync(
                "node",
                """-e "process.stdout.write(JSON.stringify([...require('adaptive-expressions').Expression.functions.keys()]))" """,
                null))
            .Trim();
        var names = JsonNode.Parse(official)!.AsArray().Select(n => n!.GetValue<string>()).Except(InternalEvaluators).ToHashSet(StringComparer.Ordinal);
        var missing = names.Where(n => !CardTemplate.SupportedFunctions.Contains(n) && !Refused.Contains(n)).ToList();
        var unofficial = CardTemplate.SupportedFunctions.Concat(Refused).Where(n => !names.Contains(n)).ToList();

        Assert.True(names.Count > 150, $"the official table has only {names.Count} functions");
        Assert.True(missing.Count == 0, "neither implemented nor refused: " + string.Join(", ", missing));
        Assert.True(unofficial.Count == 0, "not in the official table: " + string.Join(", ", unofficial));
        Assert.Equal(Refused.Order(StringComparer.Ordinal), TemplateFunctions.RefusedFunctions.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("tr-TR")]
    [InlineData("az-Latn-AZ")]
    public void CaseFunctions_UseInvariantCasing_UnderATurkishCulture(string culture)
    {
        // Under tr-TR, "I".ToLower() is "ı" (dotless) and "i".ToUpper() is "İ"; JavaScript's toLowerCase is not.
        Assert.Equal("ı", "I".ToLower(CultureInfo.GetCultureInfo(culture)));
        var template = CardTemplate.Parse("t.json", """
            {"lower":"${toLower('TITLE IN')}","upper":"${toUpper('title in')}","sentence":"${sentenceCase('INCIDENT ID')}",
             "title":"${titleCase('istanbul ile')}","replaced":"${replaceIgnoreCase('Ii', 'i', 'x')}",
             "number":"${string(1.5)}","formatted":"${formatNumber(1234.5, 1)}","date":"${formatDateTime('2026-03-14T08:42:10Z', 'dddd, MMM d yyyy HH:mm')}",
             "compare":"${'I' < 'i'}","sorted":"${join(sortBy(createArray('i', 'I', 'ı', 'İ')), ',')}"}
            """);

        var expected = InCulture(CultureInfo.InvariantCulture, () => template.Render(new JsonObject()));
        var actual = InCulture(CultureInfo.GetCultureInfo(culture), () => template.Render(new JsonObject()));

        Assert.Equal(expected.ToJsonString(), actual.ToJsonString());
        Assert.Equal("title in", actual["lower"]!.GetValue<string>());
        Assert.Equal("TITLE IN", actual["upper"]!.GetValue<string>());
        Assert.Equal("Incident id", actual["sentence"]!.GetValue<string>());
        Assert.Equal("Istanbul Ile", actual["title"]!.GetValue<string>());
        Assert.Equal("xx", actual["replaced"]!.GetValue<string>());
        Assert.Equal("1.5", actual["number"]!.GetValue<string>());
        Assert.Equal("1,234.5", actual["formatted"]!.GetValue<string>());
        Assert.Equal("Saturday, Mar 14 2026 08:42", actual["date"]!.GetValue<string>());
    }

    [Fact]
    public void EveryConformanceExpression_EvaluatesTheSame_UnderAnyThreadCulture()
    {
        var expressions = File.ReadAllLines(Path.Combine(CardTestSupport.ConformanceDirectory, "expressions.txt"))
            .Where(l => l.Length > 0 && !l.StartsWith('#') && !l.Contains("newGuid", StringComparison.Ordinal))
            .Select(l => l.Split("  ## ")[0])
            .ToList();
        var data = new JsonObject { ["n"] = 3, ["f"] = 2.5, ["s"] = "Hello World", ["u"] = "İIıi Zoë", ["ts"] = "2026-03-14T08:42:10.000Z", ["arr"] = new JsonArray(3, 1, 2) };
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 14, 8, 42, 10, TimeSpan.Zero));

        string Run(string expression)
        {
            try
            {
                return CardTemplate.Parse("c.json", new JsonObject { ["v"] = "${" + expression + "}", ["t"] = "[${" + expression + "}]" }.ToJsonString())
                    .RenderJson(data, time: time);
            }
            catch (CardTemplateException ex)
            {
                return "error: " + ex.Message;
            }
        }

        var invariant = InCulture(CultureInfo.InvariantCulture, () => expressions.Select(Run).ToList());
        foreach (var culture in new[] { "tr-TR", "de-DE", "ar-SA", "fr-FR" })
        {
            var results = InCulture(CultureInfo.GetCultureInfo(culture), () => expressions.Select(Run).ToList());
            var differing = expressions.Where((e, i) => results[i] != invariant[i]).Select(e => $"{culture}: {e}").ToList();
            Assert.Empty(differing);
        }

        Assert.True(expressions.Count >= 400);
    }

    private static T InCulture<T>(CultureInfo culture, Func<T> action)
    {
        var (saved, savedUi) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = culture;
        try
        {
            return action();
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (saved, savedUi);
        }
    }
}
