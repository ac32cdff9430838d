using System.Text.Json;
using System.Text.Json.Nodes;
using IoTOwnerBot.Cards;
using NJsonSchema;

namespace IoTOwnerBot.Tests.Cards;

/// <summary>
/// Every template renders with the sample data beside it into a card that validates against the Adaptive Card
/// schema, respects its channel's version rules and stays under 28 KB.
/// </summary>
public class CardSampleTests
{
    /// <summary>Set to 1 to rewrite the sample files from <see cref="CardTestSupport.SampleModel"/> (then review the diff).</summary>
    private const string WriteSamplesVariable = "IOTOWNERBOT_WRITE_CARD_SAMPLES";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly Lazy<Task<JsonSchema>> TeamsSchema = new(() => JsonSchema.FromJsonAsync(File.ReadAllText(SchemaPath)));
    private static readonly Lazy<Task<JsonSchema>> OutlookSchema = new(() => JsonSchema.FromJsonAsync(OutlookSchemaText()));
    private static readonly Lazy<JsonObject> SchemaDefinitions = new(() => (JsonObject)JsonNode.Parse(File.ReadAllText(SchemaPath))!["definitions"]!);

    private static string SchemaPath => Path.Combine(CardTestSupport.SchemasDirectory, "adaptive-card-1.5.json");

    public static TheoryData<string> TemplateFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in CardTestSupport.Catalog.Templates)
        {
            data.Add(file.RelativePath);
        }

        return data;
    }

    private static (CardTemplateFile File, JsonObject Card) RenderSample(string relativePath)
    {
        var file = CardTestSupport.Catalog.Templates.Single(t => t.RelativePath == relativePath);
        Assert.True(File.Exists(file.SamplePath), $"{relativePath} has no sample data beside it ({Path.GetFileName(file.SamplePath)}).");
        var sample = JsonNode.Parse(File.ReadAllText(file.SamplePath))!;
        var card = CardTestSupport.Catalog.GetTemplate(file.CardId, file.Channel, file.Version).RenderObject(sample);
        return (file, card);
    }

    [Theory]
    [MemberData(nameof(TemplateFiles))]
    public void SampleData_IsTheComposersDataForTheSampleModel(string relativePath)
    {
        var file = CardTestSupport.Catalog.Templates.Single(t => t.RelativePath == relativePath);
        var expected = CardTestSupport.Composer().BuildData(file.Channel, CardTestSupport.SampleModel(CardTestSupport.KindOf(file.CardId)));
        if (Environment.GetEnvironmentVariable(WriteSamplesVariable) == "1")
        {
            File.WriteAllText(file.SamplePath, expected.ToJsonString(Indented) + "\n");
        }

        // The sample is the real data contract, so a template that renders its sample renders production data too.
        var actual = JsonNode.Parse(File.ReadAllText(file.SamplePath));
        Assert.True(
            JsonNode.DeepEquals(expected, actual),
            $"{Path.GetFileName(file.SamplePath)} differs from what the composer produces; run the tests with {WriteSamplesVariable}=1 and review the diff.");
    }

    [Theory]
    [MemberData(nameof(TemplateFiles))]
    public async Task RenderedSample_ValidatesAgainstTheAdaptiveCardSchema(string relativePath)
    {
        var (file, card) = RenderSample(relativePath);
        var schema = file.Channel == CardChannel.Email ? await OutlookSchema.Value : await TeamsSchema.Value;

        var errors = schema.Validate(card.ToJsonString());

        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => $"{e.Path}: {e.Kind} {e}")));
    }

    [Fact]
    public async Task SchemaCheck_CatchesWhatOutlookAndTeamsWouldNotAccept()
    {
        var email = RenderSample("owner-question/email.v1.json").Card;

        // Outlook's extras are unknown to the official schema: the Teams check would reject the e-mail card.
        Assert.NotEmpty((await TeamsSchema.Value).Validate(email.ToJsonString()));

        // The Outlook extension only adds what Outlook documents: a typo or a POST without body still fails.
        var typo = (JsonObject)email.DeepClone();
        typo["hideOriginalBodi"] = true;
        Assert.NotEmpty((await OutlookSchema.Value).Validate(typo.ToJsonString()));
        var noBody = (JsonObject)email.DeepClone();
        noBody["actions"]![0]!.AsObject().Remove("body");
        Assert.NotEmpty((await OutlookSchema.Value).Validate(noBody.ToJsonString()));
    }

    [Theory]
    [MemberData(nameof(TemplateFiles))]
    public void RenderedSample_RespectsItsChannelsVersionRules(string relativePath)
    {
        var (file, card) = RenderSample(relativePath);
        var version = Version.Parse(card["version"]!.GetValue<string>());
        var types = Descendants(card).Select(o => o["type"]?.GetValue<string>()).OfType<string>().ToList();

        if (file.Channel == CardChannel.Email)
        {
            // Outlook shows Action.Http only on 1.0 cards, and a card uses Action.Http or Universal Actions, never both.
            Assert.Equal(new Version(1, 0), version);
            Assert.DoesNotContain("Action.Execute", types);
            Assert.Null(card["refresh"]);
            Assert.False(card["originator"] is null, "Outlook needs originator on every e-mail card");
            Assert.True(card["hideOriginalBody"]?.GetValue<bool>());
            Assert.False(string.IsNullOrEmpty(card["correlationId"]?.GetValue<string>()));
            Assert.DoesNotContain("Action.Submit", types);
        }
        else
        {
            Assert.True(version <= new Version(1, 5), $"Teams cards are at most 1.5, this one is {version}");
            Assert.DoesNotContain("Action.Http", types);
        }

        // Every element and property used must exist in the card's version, per the schema's "version" annotations.
        var violations = VersionViolations(card, version).ToList();
        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    [Theory]
    [MemberData(nameof(TemplateFiles))]
    public void RenderedSample_StaysUnder28KB(string relativePath)
    {
        var (_, card) = RenderSample(relativePath);

        Assert.InRange(card.ToJsonString().Length * sizeof(char), 1, CardComposer.MaxCardSizeUtf16);
    }

    [Fact]
    public void QuestionCards_CarryTheCallbackContract()
    {
        var email = RenderSample("owner-question/email.v1.json").Card;
        var http = email["actions"]!.AsArray().Where(a => a!["type"]!.GetValue<string>() == "Action.Http").ToList();
        Assert.Equal(2, http.Count);
        var yes = JsonNode.Parse(http[0]!["body"]!.GetValue<string>())!;
        Assert.Equal("q-7d41c2", yes["questionId"]!.GetValue<string>());
        Assert.Equal("yes", yes["answer"]!.GetValue<string>());
        Assert.Equal("lpt.yes.eyJxIjoicS03ZDQxYzIifQ", yes["token"]!.GetValue<string>());
        Assert.Equal("POST", http[0]!["method"]!.GetValue<string>());
        Assert.Equal("https://bot.example.com/api/outlook/answer", http[0]!["url"]!.GetValue<string>());
        Assert.Contains(http[0]!["headers"]!.AsArray(), h => h!["name"]!.GetValue<string>() == "Content-Type" && h["value"]!.GetValue<string>() == "application/json");

        var teams = RenderSample("owner-question/teams.v1.json").Card;
        var execute = teams["actions"]!.AsArray().Where(a => a!["type"]!.GetValue<string>() == "Action.Execute").ToList();
        Assert.Equal(["yes", "no"], execute.Select(a => a!["data"]!["answer"]!.GetValue<string>()));
        Assert.All(execute, a => Assert.Equal("iotownerbot.answer", a!["verb"]!.GetValue<string>()));
        Assert.Equal("lpt.no.eyJxIjoicS03ZDQxYzIifQ", execute[1]!["data"]!["token"]!.GetValue<string>());
        Assert.Equal("iotownerbot.refresh", teams["refresh"]!["action"]!["verb"]!.GetValue<string>());
        Assert.Equal(["29:1a2b3c-owner"], teams["refresh"]!["userIds"]!.AsArray().Select(u => u!.GetValue<string>()));
    }

    [Fact]
    public void QuestionCard_ShowsWhatTheOwnerNeedsToDecide()
    {
        var text = RenderSample("owner-question/email.v1.json").Card.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

        foreach (var expected in new[]
        {
            "Incident 4711: PLC program upload detected on PLC-07", "High", "2026-03-14 08:42 (Europe/Berlin)",
            "PLC-07", "Siemens", "S7-1500", "10.20.30.17", "00:1B:1B:AA:07:01", "Plant Hamburg", "Line 3", "sensor-hh-01",
            "https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident/subscriptions/0000/incidents/4711",
            "Yes, this is expected", "No, this is NOT expected",
        })
        {
            Assert.Contains(expected, text, StringComparison.Ordinal);
        }

        // An unknown device model shows no empty "Model" fact.
        Assert.Single(RenderSample("owner-question/email.v1.json").Card["body"]!.AsArray()
            .Where(e => e!["type"]!.GetValue<string>() == "Container")
            .SelectMany(c => c!["items"]![1]!["facts"]!.AsArray()),
            f => f!["title"]!.GetValue<string>() == "Model");
    }

    /// <summary>
    /// The 1.5 schema plus what Outlook accepts on e-mail cards (outlook-actionable-messages.md §2.1, §3):
    /// the Action.Http action and the card-level originator, hideOriginalBody, correlationId, expectedActors and
    /// autoInvokeAction. Everything else stays as strict as the official schema.
    /// </summary>
    private static string OutlookSchemaText()
    {
        var schema = JsonNode.Parse(File.ReadAllText(SchemaPath))!.AsObject();
        var definitions = schema["definitions"]!.AsObject();
        definitions["Action.Http"] = JsonNode.Parse("""
        {
          "description": "Outlook actionable messages only: sends an HTTP request to the provider's registered target URL.",
          "version": "1.0",
          "type": "object",
          "additionalProperties": false,
          "required": ["type", "method", "url"],
          "properties": {
            "type": { "enum": ["Action.Http"] },
            "title": { "type": "string" },
            "id": { "type": "string" },
            "isPrimary": { "type": "boolean" },
            "style": { "$ref": "#/definitions/ActionStyle" },
            "method": { "enum": ["GET", "POST"] },
            "url": { "type": "string", "format": "uri" },
            "headers": { "type": "array", "items": { "$ref": "#/definitions/HttpHeader" } },
            "body": { "type": "string" }
          },
          "anyOf": [
            { "properties": { "method": { "enum": ["GET"] } } },
            { "properties": { "method": { "enum": ["POST"] } }, "required": ["body"] }
          ]
        }
        """);
        definitions["HttpHeader"] = JsonNode.Parse("""
        { "type": "object", "additionalProperties": false, "required": ["name", "value"],
          "properties": { "name": { "type": "string" }, "value": { "type": "string" } } }
        """);
        definitions["ImplementationsOf.Action"]!["anyOf"]!.AsArray()
            .Add(JsonNode.Parse("""{ "required": ["type"], "allOf": [ { "$ref": "#/definitions/Action.Http" } ] }"""));
        var card = definitions["AdaptiveCard"]!["properties"]!.AsObject();
        card["originator"] = JsonNode.Parse("""{ "type": "string" }""");
        card["hideOriginalBody"] = JsonNode.Parse("""{ "type": "boolean" }""");
        card["correlationId"] = JsonNode.Parse("""{ "type": "string" }""");
        card["expectedActors"] = JsonNode.Parse("""{ "type": "array", "items": { "type": "string" } }""");
        card["autoInvokeAction"] = JsonNode.Parse("""{ "$ref": "#/definitions/Action.Http" }""");
        return schema.ToJsonString();
    }

    private static IEnumerable<JsonObject> Descendants(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                yield return obj;
                foreach (var child in obj.SelectMany(p => Descendants(p.Value)))
                {
                    yield return child;
                }

                break;
            case JsonArray array:
                foreach (var child in array.SelectMany(Descendants))
                {
                    yield return child;
                }

                break;
        }
    }

    private static IEnumerable<string> VersionViolations(JsonObject card, Version cardVersion)
    {
        foreach (var obj in Descendants(card))
        {
            var type = obj["type"]?.GetValue<string>();
            if (type is null || SchemaDefinitions.Value[type] is not JsonObject definition)
            {
                continue;
            }

            if (Since(definition) is { } typeVersion && typeVersion > cardVersion)
            {
                yield return $"{type} needs version {typeVersion}";
            }

            foreach (var (name, _) in obj)
            {
                if (PropertyDefinition(definition, name) is { } property && Since(property) is { } propertyVersion && propertyVersion > cardVersion)
                {
                    yield return $"{type}.{name} needs version {propertyVersion}";
                }
            }
        }
    }

    private static JsonObject? PropertyDefinition(JsonObject definition, string name)
    {
        if (definition["properties"]?[name] is JsonObject { Count: > 0 } own)
        {
            return own;
        }

        foreach (var parent in definition["allOf"]?.AsArray() ?? [])
        {
            var reference = parent?["$ref"]?.GetValue<string>();
            if (reference?.StartsWith("#/definitions/", StringComparison.Ordinal) == true
                && SchemaDefinitions.Value[reference["#/definitions/".Length..]] is JsonObject inherited
                && PropertyDefinition(inherited, name) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    private static Version? Since(JsonObject schemaNode) =>
        schemaNode["version"] is JsonValue v ? Version.Parse(v.GetValue<string>()) : null;
}
