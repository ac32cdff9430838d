using System.Text.Json.Nodes;
using IoTOwnerBot.Cards;

namespace IoTOwnerBot.Tests.Cards;

public class CardTemplateEngineTests
{
    private static JsonNode Render(string template, string data) =>
        CardTemplate.Parse("test.json", template).Render(JsonNode.Parse(data)!);

    private static void AssertJson(string expected, JsonNode actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"expected {expected}\nactual   {actual.ToJsonString()}");

    [Fact]
    public void SingleExpression_KeepsTheValueType_InterpolationMakesText()
    {
        var card = Render(
            """{"n":"${n}","b":"${b}","o":"${o}","a":"${a}","s":"n=${n}, b=${b}","root":"${$root.o.k}","lit":"no binding"}""",
            """{"n":3,"b":true,"o":{"k":"v"},"a":[1,2]}""");

        AssertJson("""{"n":3,"b":true,"o":{"k":"v"},"a":[1,2],"s":"n=3, b=true","root":"v","lit":"no binding"}""", card);
    }

    [Fact]
    public void DataArray_RepeatsTheObject_WithIndexAndRoot()
    {
        var card = Render(
            """{"items":[{"$data":"${devices}","t":"${$index}: ${name} @ ${$root.site}"},{"t":"last"}]}""",
            """{"site":"HH","devices":[{"name":"a"},{"name":"b"}]}""");

        AssertJson("""{"items":[{"t":"0: a @ HH"},{"t":"1: b @ HH"},{"t":"last"}]}""", card);
    }

    [Fact]
    public void DataObject_ChangesScope_EmptyArrayRemovesTheElement()
    {
        var card = Render(
            """{"x":{"$data":"${device}","t":"${name}"},"items":[{"$data":"${none}","t":"${name}"},{"$data":"${device}","t":"${name}"}]}""",
            """{"device":{"name":"PLC"},"none":[]}""");

        AssertJson("""{"x":{"t":"PLC"},"items":[{"t":"PLC"}]}""", card);
    }

    [Fact]
    public void When_False_DropsTheElement_AndIsEvaluatedPerRepetition()
    {
        var card = Render(
            """{"items":[{"$when":"${show}","t":"shown"},{"$when":"${not(show)}","t":"hidden"},{"$data":"${xs}","$when":"${not(empty(v))}","t":"${v}"}]}""",
            """{"show":true,"xs":[{"v":"a"},{"v":""},{"v":"c"}]}""");

        AssertJson("""{"items":[{"t":"shown"},{"t":"a"},{"t":"c"}]}""", card);
    }

    [Theory]
    [InlineData("${if(flag, 'Y', 'N')}", "Y")]
    [InlineData("${equals(n, 3)}", "true")]
    [InlineData("${not(flag)}", "false")]
    [InlineData("${and(flag, equals(s, 'x'))}", "true")]
    [InlineData("${or(false, empty(e))}", "true")]
    [InlineData("${exists(o.missing)}", "false")]
    [InlineData("${exists(o.k)}", "true")]
    [InlineData("${concat('a', s, n)}", "ax3")]
    [InlineData("${formatDateTime(t, 'dd.MM.yyyy HH:mm:ss')}", "14.03.2026 08:42:10")]
    [InlineData("${formatDateTime('2026-03-14T07:42:10+02:00', 'yyyy-MM-dd h:mm tt')}", "2026-03-14 5:42 AM")]
    [InlineData("${json('{\"a\":1}').a}", "1")]
    [InlineData("${string(o)}", "{\"k\":\"v\"}")]
    [InlineData("${toUpper(s)}${toLower('ÄB')}", "Xäb")]
    [InlineData("${count(list)}/${count(s)}", "2/1")]
    [InlineData("${o['k']}", "v")]
    [InlineData("${list[1]}", "b")]
    [InlineData("${n == 3 && !flag == false}", "true")]
    public void Functions_EvaluateLikeAdaptiveExpressions(string expression, string expected)
    {
        var card = Render(
            $$"""{"v":"<{{expression.Replace("\"", "\\\"", StringComparison.Ordinal)}}>"}""",
            """{"flag":true,"n":3,"s":"x","e":"","o":{"k":"v"},"list":["a","b"],"t":"2026-03-14T08:42:10"}""");

        Assert.Equal($"<{expected}>", card["v"]!.GetValue<string>());
    }

    [Fact]
    public void ActionHttpBody_IsJsonText_WithUntrustedValuesEscaped()
    {
        var token = "t\"o}k{e\\n${x}</script>\u2028😀";
        var card = Render(
            """{"body":"${string({questionId: $root.q, answer: 'yes', token: token})}"}""",
            new JsonObject { ["q"] = "q-1", ["token"] = token }.ToJsonString());

        var body = JsonNode.Parse(card["body"]!.GetValue<string>())!;
        Assert.Equal("q-1", body["questionId"]!.GetValue<string>());
        Assert.Equal("yes", body["answer"]!.GetValue<string>());
        Assert.Equal(token, body["token"]!.GetValue<string>());
    }

    [Fact]
    public void UntrustedData_IsNeverEvaluated()
    {
        var title = "${secret} ${json('{}')} {{DATE(x)}} \"quoted\" {braces}";
        var card = Render("""{"t":"${title}","u":"Title: ${title}"}""", new JsonObject { ["title"] = title, ["secret"] = "LEAK" }.ToJsonString());

        Assert.Equal(title, card["t"]!.GetValue<string>());
        Assert.Equal("Title: " + title, card["u"]!.GetValue<string>());
        Assert.DoesNotContain("LEAK", card.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownFunction_FailsAtParse_NamingTemplateAndExpression()
    {
        var ex = Assert.Throws<CardTemplateException>(() => CardTemplate.Parse("owner-question/email.v9.json", """{"body":[{"text":"${shout(title)}"}]}"""));

        Assert.Equal("owner-question/email.v9.json", ex.TemplateName);
        Assert.Equal("/body/0/text", ex.Location);
        Assert.Contains("shout(title)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("unknown function 'shout'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"t":"${incident.titel}"}""", "incident.titel")]
    [InlineData("""{"t":"x ${devices[5].name}"}""", "devices[5]")]
    [InlineData("""{"items":[{"$data":"${devices}","t":"${nam}"}]}""", "nam")]
    public void BadPath_FailsAtRender_NamingTemplateAndExpression(string template, string path)
    {
        var parsed = CardTemplate.Parse("soc-thread/teams.v1.json", template);

        var ex = Assert.Throws<CardTemplateException>(() => parsed.Render(JsonNode.Parse("""{"incident":{"title":"t"},"devices":[{"name":"a"}]}""")!));

        Assert.Contains("soc-thread/teams.v1.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"'{path}'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"t":"${if(a, 'x')}"}""", "if() takes 3")]
    [InlineData("""{"t":"${a <> 1}"}""", "'<>' has no evaluator")]
    [InlineData("""{"t":"${a +}"}""", "unexpected '}'")]
    [InlineData("""{"t":"${a"}""", "missing closing '}'")]
    [InlineData("""{"t":{"$when":"true"}}""", "single ${…} expression")]
    public void InvalidSyntax_FailsAtParse(string template, string reason)
    {
        var ex = Assert.Throws<CardTemplateException>(() => CardTemplate.Parse("t.json", template));

        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"t":"x ${n}"}""", "null")]
    [InlineData("""{"t":"x ${o}"}""", "[object Object]")]
    [InlineData("""{"t":{"$when":"${s}"}}""", "$when must evaluate to true or false")]
    public void ValuesThatWouldBreakTheCard_Fail(string template, string reason)
    {
        var ex = Assert.Throws<CardTemplateException>(() => Render(template, """{"n":null,"o":{},"s":"yes"}"""));

        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParsedTemplate_RendersManyTimes_Concurrently()
    {
        var template = CardTemplate.Parse("t.json", """{"items":[{"$data":"${xs}","t":"${$index}-${v}"}]}""");

        Parallel.For(0, 200, i =>
        {
            var card = template.Render(JsonNode.Parse($$"""{"xs":[{"v":"{{i}}"},{"v":"z"}]}""")!);
            Assert.Equal($"0-{i}", card["items"]![0]!["t"]!.GetValue<string>());
        });
    }
}
