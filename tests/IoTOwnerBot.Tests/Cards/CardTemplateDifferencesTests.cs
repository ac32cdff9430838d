using System.Text.Json.Nodes;
using IoTOwnerBot.Cards;

namespace IoTOwnerBot.Tests.Cards;

/// <summary>
/// One test per deliberate difference from the official engine listed in cards/README.md ("Deliberate differences").
/// The official behaviour each one avoids is in the test name; the conformance suite checks the rest matches.
/// </summary>
public class CardTemplateDifferencesTests
{
    private static readonly JsonObject Data = JsonNode.Parse("""
        { "device": { "name": "PLC-1", "zone": null }, "list": [3, 1, 2], "o": { "k": "v" }, "n": null, "token": "a\"b\\c}" }
        """)!.AsObject();

    private static JsonNode? Value(string template) => CardTemplate.Parse("d.json", template).Render(Data.DeepClone())["v"];

    private static string Fails(string template) =>
        Assert.Throws<CardTemplateException>(() => CardTemplate.Parse("d.json", template).Render(Data.DeepClone())).Message;

    [Fact]
    public void MissingPath_IsNullInsideExpressions_NotTheTextOfThePath()
    {
        // Official: coalesce(...) gives "${device.site}", length(missing) gives 10 (the length of "${missing}").
        Assert.Equal("n/a", Value("""{"v":"${coalesce(device.site, 'n/a')}"}""")!.GetValue<string>());
        Assert.Equal(0, Value("""{"v":"${length(missing)}"}""")!.GetValue<double>());
        Assert.Equal("PLC-1 ", Value("""{"v":"${concat(device.name, ' ', device.site)}"}""")!.GetValue<string>());
    }

    [Fact]
    public void MissingPathOrNull_InTheCard_FailsLoudly_InsteadOfShowingTheExpression()
    {
        // Official: the card shows "${device.site}" and "Zone: " crashes or shows ${…}.
        Assert.Contains("path 'device.site' does not resolve", Fails("""{"v":"${device.site}"}"""), StringComparison.Ordinal);
        Assert.Contains("null", Fails("""{"v":"Zone: ${device.zone}"}"""), StringComparison.Ordinal);
        Assert.Contains("null", Fails("""{"v":"${null}"}"""), StringComparison.Ordinal);
    }

    [Fact]
    public void ObjectInText_FailsLoudly_InsteadOfObjectObject()
    {
        Assert.Contains("[object Object]", Fails("""{"v":"Details: ${o}"}"""), StringComparison.Ordinal);
        Assert.Equal("Details: 3,1,2", Value("""{"v":"Details: ${list}"}""")!.GetValue<string>());
    }

    [Fact]
    public void LoneConcat_IsTheFunction_NotTextOfItsArguments()
    {
        // Official: "${concat(list, list)}" becomes the text "3,1,23,1,2".
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("[3,1,2,3,1,2]"), Value("""{"v":"${concat(list, list)}"}""")));
    }

    [Fact]
    public void NonFiniteNumberInTheCard_FailsLoudly_InsteadOfNull()
    {
        Assert.Contains("not a finite number", Fails("""{"v":"${2 ^ 2000}"}"""), StringComparison.Ordinal);
        Assert.Equal("Infinity", Value("""{"v":"x${2 ^ 2000}"}""")!.GetValue<string>()[1..]);
    }

    [Fact]
    public void JsonNull_IsReadLikeAMissingValue()
    {
        // Official: toLower(null) fails ("is neither a string nor a null object") although toLower(missing) is ''.
        Assert.Equal("", Value("""{"v":"${toLower(n)}"}""")!.GetValue<string>());
        Assert.Equal("", Value("""{"v":"${toLower(missing)}"}""")!.GetValue<string>());
    }

    [Fact]
    public void FunctionWithoutResult_GivesNull_WhereTheOfficialEngineDropsTheProperty()
    {
        var card = CardTemplate.Parse("d.json", """{"v":"${first(createArray())}"}""").Render(Data.DeepClone()).AsObject();

        Assert.True(card.ContainsKey("v"));
        Assert.Null(card["v"]);
    }

    [Fact]
    public void Functions_NeverChangeTheData()
    {
        // Official: reverse() and setProperty() change the data in place, so later bindings see the change.
        var card = CardTemplate.Parse("d.json", """{"a":"${reverse(list)}","b":"${list}","c":"${setProperty(o, 'k', 'w')}","d":"${o.k}"}""").Render(Data.DeepClone());

        Assert.Equal("[2,1,3]", card["a"]!.ToJsonString());
        Assert.Equal("[3,1,2]", card["b"]!.ToJsonString());
        Assert.Equal("w", card["c"]!["k"]!.GetValue<string>());
        Assert.Equal("v", card["d"]!.GetValue<string>());
    }

    [Fact]
    public void BinaryValues_AreListsOfBytes()
    {
        // Official: a Uint8Array, which lands in the card as {"0":104,"1":105}.
        Assert.Equal("[104,105]", Value("""{"v":"${binary('hi')}"}""")!.ToJsonString());
    }

    [Fact]
    public void WhenThatIsNotABoolean_FailsLoudly_InsteadOfDroppingTheElement()
    {
        Assert.Contains("$when must evaluate to true or false", Fails("""{"v":{"$when":"${device.name}","x":1}}"""), StringComparison.Ordinal);
    }

    [Fact]
    public void ActionHttpBody_ByInterpolation_JsonEscapesTheValues()
    {
        // Official: the token's quote and backslash are inserted raw and break the JSON body.
        var card = CardTemplate.Parse("d.json", """{"type":"Action.Http","body":"{\"token\":\"${token}\",\"n\":${count(list)}}","title":"t ${token}"}""").Render(Data.DeepClone());

        var body = JsonNode.Parse(card["body"]!.GetValue<string>())!;
        Assert.Equal("a\"b\\c}", body["token"]!.GetValue<string>());
        Assert.Equal(3, body["n"]!.GetValue<int>());
        Assert.Equal("t a\"b\\c}", card["title"]!.GetValue<string>());
    }

    [Fact]
    public void UnsupportedReferenceFunctions_FailAtLoad_NamingTheFunction()
    {
        var ex = Assert.Throws<CardTemplateException>(() => CardTemplate.Parse("owner-question/email.v9.json", """{"body":[{"text":"${xPath(x, '/a')}"}]}"""));

        Assert.Equal("/body/0/text", ex.Location);
        Assert.Contains("function 'xPath' is not supported", ex.Message, StringComparison.Ordinal);
    }
}
