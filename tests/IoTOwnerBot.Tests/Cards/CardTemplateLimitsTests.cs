using System.Text.Json.Nodes;
using IoTOwnerBot.Cards;

namespace IoTOwnerBot.Tests.Cards;

/// <summary>Hostile template shapes fail loudly at load with <see cref="CardTemplateException"/>, never with a stack overflow.</summary>
public class CardTemplateLimitsTests
{
    private static CardTemplateException Load(string expression) =>
        Assert.Throws<CardTemplateException>(() => CardTemplate.Parse("deep.json", new JsonObject { ["t"] = "${" + expression + "}" }.ToJsonString()));

    [Fact]
    public void TwoThousandNestedParentheses_FailAtLoad()
    {
        var ex = Load(new string('(', 2000) + "1" + new string(')', 2000));

        Assert.Contains("nested deeper than 100", ex.Message, StringComparison.Ordinal);
        Assert.Equal("/t", ex.Location);
    }

    [Fact]
    public void TwoThousandChainedAnds_FailAtLoad()
    {
        var ex = Load(string.Join(" && ", Enumerable.Repeat("true", 2000)));

        Assert.Contains("nested deeper than 100", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AHundredThousandNots_FailAtLoad()
    {
        var ex = Load(new string('!', 100_000) + "true");

        Assert.Contains("nested deeper than 100", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DeeplyNestedCalls_FailAtLoad()
    {
        var ex = Load(string.Concat(Enumerable.Repeat("not(", 2000)) + "true" + new string(')', 2000));

        Assert.Contains("nested deeper than 100", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NestingWithinTheLimit_Evaluates()
    {
        var template = CardTemplate.Parse("ok.json", new JsonObject { ["t"] = "${" + new string('(', 50) + "1 + 2" + new string(')', 50) + "}" }.ToJsonString());

        Assert.Equal(3, template.Render(new JsonObject())["t"]!.GetValue<double>());
    }

    [Fact]
    public void DeeplyNestedTemplateJson_FailsAtLoad()
    {
        var json = new string('[', 2000) + new string(']', 2000);

        var ex = Assert.Throws<CardTemplateException>(() => CardTemplate.Parse("deep.json", json));

        Assert.Contains("nested deeper than 64 levels", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DeeplyNestedData_FailsAtRender_NotWithAStackOverflow()
    {
        JsonNode deep = new JsonArray();
        for (var i = 0; i < 5000; i++)
        {
            deep = new JsonArray(deep);
        }

        var template = CardTemplate.Parse("t.json", """{"t":"${string(d)}","u":"x ${d}","v":"${equals(d, d)}"}""");

        var ex = Assert.Throws<CardTemplateException>(() => template.Render(new JsonObject { ["d"] = deep }));
        Assert.Contains("nested deeper than", ex.Message, StringComparison.Ordinal);
    }
}
