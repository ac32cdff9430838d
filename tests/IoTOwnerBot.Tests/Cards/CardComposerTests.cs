using System.Text.Json.Nodes;
using IoTOwnerBot.Cards;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Tests.Cards;

/// <summary>Composing cards from the channel-neutral model: localization, time zones, untrusted text, size, wiring.</summary>
public class CardComposerTests
{
    private static string AllText(JsonNode card) =>
        string.Join("\n", Flatten(card));

    private static IEnumerable<string> Flatten(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => Flatten(p.Value)),
        JsonArray a => a.SelectMany(Flatten),
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String => [v.GetValue<string>()],
        _ => [],
    };

    [Theory]
    [InlineData("de-DE", "War diese Aktivität erwartet?", "Ja, das ist erwartet", "14.03.2026 08:42 (Europe/Berlin)")]
    [InlineData("fr", "Cette activité était-elle prévue ?", "Oui, c'est prévu", "14/03/2026 08:42 (Europe/Berlin)")]
    [InlineData("es-MX", "¿Se esperaba esta actividad?", "Sí, es esperado", "14/03/2026 08:42 (Europe/Berlin)")]
    [InlineData("en-GB", "Was this activity expected?", "Yes, this is expected", "2026-03-14 08:42 (Europe/Berlin)")]
    [InlineData("ja-JP", "Was this activity expected?", "Yes, this is expected", "2026-03-14 08:42 (Europe/Berlin)")]
    [InlineData(null, "Was this activity expected?", "Yes, this is expected", "2026-03-14 08:42 (Europe/Berlin)")]
    public void QuestionCard_UsesTheOwnersLanguage_ElseTheDefault(string? language, string title, string yes, string detected)
    {
        foreach (var channel in new[] { CardChannel.Email, CardChannel.Teams })
        {
            var card = CardTestSupport.Composer().Compose(CardKind.OwnerQuestion, channel, CardTestSupport.QuestionModel(language));
            var text = AllText(card.Content);

            Assert.Contains(title, text, StringComparison.Ordinal);
            Assert.Contains(yes, text, StringComparison.Ordinal);
            Assert.Contains(detected, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ConfiguredDefaultLanguage_AppliesWhenTheOwnersIsUnknown()
    {
        var card = CardTestSupport.Composer(defaultLanguage: "fr").Compose(CardKind.OwnerQuestion, CardChannel.Email, CardTestSupport.QuestionModel("it-IT"));

        Assert.Contains("Cette activité était-elle prévue ?", AllText(card.Content), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("America/New_York", "2026-03-14 03:42 (America/New_York)")]
    [InlineData("W. Europe Standard Time", "2026-03-14 08:42 (W. Europe Standard Time)")]
    [InlineData(null, "2026-03-14 07:42 (UTC)")]
    [InlineData("Not/AZone", "2026-03-14 07:42 (UTC)")]
    public void Times_AreInTheOwnersZone_ElseUtcWithTheZoneNamed(string? zone, string expected)
    {
        var card = CardTestSupport.Composer().Compose(CardKind.OwnerQuestion, CardChannel.Email, CardTestSupport.QuestionModel(timeZone: zone));

        Assert.Contains(expected, AllText(card.Content), StringComparison.Ordinal);
    }

    [Fact]
    public void StringsFiles_TranslateEveryKey_InEveryLanguage()
    {
        Assert.Superset(new HashSet<string> { "en", "de", "fr", "es" }, CardTestSupport.Catalog.Languages.ToHashSet());
        var english = Keys(JsonNode.Parse(File.ReadAllText(Path.Combine(CardTestSupport.CardsDirectory, "strings", "en.json")))!, "");
        foreach (var language in CardTestSupport.Catalog.Languages)
        {
            var keys = Keys(JsonNode.Parse(File.ReadAllText(Path.Combine(CardTestSupport.CardsDirectory, "strings", language + ".json")))!, "");
            Assert.Equal(english.Order(StringComparer.Ordinal), keys.Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void EveryCard_RendersInEveryLanguage()
    {
        foreach (var language in CardTestSupport.Catalog.Languages)
        {
            foreach (var file in CardTestSupport.Catalog.Templates)
            {
                var model = CardTestSupport.SampleModel(CardTestSupport.KindOf(file.CardId)) with { Recipient = new CardRecipient(language, "Europe/Paris", ["29:x"]) };
                var data = CardTestSupport.Composer().BuildData(file.Channel, model);

                var card = CardTestSupport.Catalog.GetTemplate(file.CardId, file.Channel, file.Version).RenderObject(data);

                Assert.Equal("AdaptiveCard", card["type"]!.GetValue<string>());
            }
        }
    }

    [Fact]
    public void HostileIncidentText_RendersAsText_AndCallbacksStayIntact()
    {
        foreach (var kind in Enum.GetValues<CardKind>())
        {
            foreach (var channel in CardTestSupport.KindsFor(CardChannel.Email).Contains(kind) ? new[] { CardChannel.Email, CardChannel.Teams } : [CardChannel.Teams])
            {
                var card = CardTestSupport.Composer().Compose(kind, channel, CardTestSupport.HostileModel(kind)).Content;
                var text = AllText(card);

                // Template syntax in data is shown, never evaluated; Markdown is escaped; DATE() is disarmed.
                Assert.Contains("${questionId}", text, StringComparison.Ordinal);
                Assert.DoesNotContain("q-7d41c2 {", text, StringComparison.Ordinal);
                Assert.Contains("\\*\\*bold\\*\\*", text, StringComparison.Ordinal);
                Assert.Contains("\\[click\\](https://evil.example)", text, StringComparison.Ordinal);
                Assert.Contains("{\u200B{DATE(", text, StringComparison.Ordinal);
                Assert.Contains("<b>html</b>", text, StringComparison.Ordinal);
                Assert.DoesNotContain("{{DATE(", text, StringComparison.Ordinal);
            }
        }

        var email = CardTestSupport.Composer().Compose(CardKind.OwnerQuestion, CardChannel.Email, CardTestSupport.HostileModel(CardKind.OwnerQuestion)).Content;
        var bodies = email["actions"]!.AsArray().Where(a => a!["type"]!.GetValue<string>() == "Action.Http").Select(a => JsonNode.Parse(a!["body"]!.GetValue<string>())!).ToList();
        Assert.Equal(["tok\"en\\with}{quotes${x}", "</script><b>"], bodies.Select(b => b["token"]!.GetValue<string>()));
        Assert.DoesNotContain("</script>", CardTestSupport.Composer().Compose(CardKind.OwnerQuestion, CardChannel.Email, CardTestSupport.HostileModel(CardKind.OwnerQuestion)).ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public void MarkdownListsAndHeadings_AtLineStart_AreEscaped()
    {
        Assert.Equal("1\\. not a list\n\\- nor this\n\\# heading\n10.0.0.1 stays", CardText.Plain("1. not a list\n- nor this\n# heading\n10.0.0.1 stays"));
        Assert.Equal("PLC\\_07 \\`x\\` a\\\\b", CardText.Plain("PLC_07 `x` a\\b"));
        Assert.Equal("one line", CardText.Plain("one\r\nline", singleLine: true));
    }

    [Fact]
    public void HugeIncident_IsCutToFit_Under28KB()
    {
        var model = CardTestSupport.QuestionModel() with
        {
            Incident = CardTestSupport.QuestionModel().Incident with { Title = new string('T', 5000), Description = new string('D', 100_000) },
            Devices = Enumerable.Range(0, 500).Select(i => new CardDevice($"PLC-{i}-" + new string('n', 300), new string('t', 300), new string('v', 300), new string('m', 300), "10.0.0.1", "aa:bb:cc:dd:ee:ff", new string('s', 300), new string('z', 300), new string('x', 300))).ToList(),
            Owners = Enumerable.Range(0, 300).Select(i => new CardOwner(new string('o', 500))).ToList(),
            Timeline = Enumerable.Range(0, 300).Select(i => new CardTimelineEntry(CardTestSupport.Created.AddMinutes(i), new string('e', 1000))).ToList(),
            Recipient = new CardRecipient("en", null, Enumerable.Range(0, 200).Select(i => $"29:user-{i}").ToList()),
        };

        // A digest lists incidents, not devices: DigestCard_OfTheMostQuestions_StaysUnder28KB covers it.
        foreach (var kind in Enum.GetValues<CardKind>().Where(k => k != CardKind.OwnerDigest))
        {
            foreach (var channel in kind == CardKind.SocThread ? [CardChannel.Teams] : new[] { CardChannel.Email, CardChannel.Teams })
            {
                var m = kind switch
                {
                    CardKind.OwnerAnswered => model with { Outcome = new CardOutcome(CardOutcomeKind.Answered, CardTestSupport.Created, "no", new string('b', 1000), CardChannel.Teams) },
                    CardKind.OwnerExpired => model with { Outcome = new CardOutcome(CardOutcomeKind.Expired, CardTestSupport.Created) },
                    CardKind.OwnerClosed => model with { Outcome = new CardOutcome(CardOutcomeKind.Cancelled, CardTestSupport.Created) },
                    _ => model,
                };

                var card = CardTestSupport.Composer().Compose(kind, channel, m);

                Assert.InRange(card.Utf16Size, 1, CardComposer.MaxCardSizeUtf16);
                Assert.Matches(@"Further devices not shown: 49\d", AllText(card.Content));
            }
        }

        var teams = CardTestSupport.Composer().Compose(CardKind.OwnerQuestion, CardChannel.Teams, model).Content;
        Assert.Equal(CardComposer.MaxRefreshUserIds, teams["refresh"]!["userIds"]!.AsArray().Count);
    }

    [Fact]
    public void StateCards_NeedTheirOutcome()
    {
        var composer = CardTestSupport.Composer();

        Assert.Throws<ArgumentException>(() => composer.Compose(CardKind.OwnerAnswered, CardChannel.Email, CardTestSupport.QuestionModel()));
        Assert.Throws<ArgumentException>(() => composer.Compose(CardKind.OwnerQuestion, CardChannel.Email, CardTestSupport.QuestionModel() with
        {
            Incident = CardTestSupport.QuestionModel().Incident with { Url = new Uri("http://portal.example.com/x") },
        }));
        Assert.Throws<ArgumentException>(() => composer.Compose(CardKind.OwnerQuestion, CardChannel.Email, CardTestSupport.QuestionModel() with { CallbackUrl = null }));
        var answered = composer.Compose(CardKind.OwnerAnswered, CardChannel.Teams, CardTestSupport.SampleModel(CardKind.OwnerAnswered));
        Assert.Contains("Jana Schmidt", AllText(answered.Content), StringComparison.Ordinal);
        Assert.Contains("Outlook", AllText(answered.Content), StringComparison.Ordinal);
        Assert.Null(answered.Content["actions"]!.AsArray().FirstOrDefault(a => a!["type"]!.GetValue<string>() != "Action.OpenUrl"));
    }

    [Fact]
    public void AddCards_RegistersAComposerOverTheCopiedTemplates()
    {
        using var provider = new ServiceCollection()
            .AddCards(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Cards:Originator"] = "prov-1" }).Build())
            .BuildServiceProvider();

        var card = provider.GetRequiredService<CardComposer>().Compose(CardKind.OwnerQuestion, CardChannel.Email, CardTestSupport.QuestionModel());

        Assert.Equal("prov-1", card.Content["originator"]!.GetValue<string>());
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "cards"), provider.GetRequiredService<CardCatalog>().Directory);
    }

    [Theory]
    [InlineData("Cards:DefaultLanguage", "english", "Cards:DefaultLanguage")]
    [InlineData("Cards:DefaultLanguage", "it", "Cards:DefaultLanguage")]
    [InlineData("Cards:TemplatesPath", "/nonexistent/cards", "Cards:TemplatesPath")]
    public void AddCards_RejectsBadConfiguration_NamingTheKey(string key, string value, string named)
    {
        using var provider = new ServiceCollection()
            .AddCards(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build())
            .BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<CardOptions>>().Value);

        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DigestCard_OfTheMostQuestions_StaysUnder28KB_ListingEveryQuestion()
    {
        // 25 items (Digest:MaxQuestions at most) with long non-ASCII titles, many devices and long names, in every language.
        var worst = new CardIncident("1234567", string.Concat(Enumerable.Repeat("Programmänderung 東京 ", 30)), "High",
            new Uri("https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident/subscriptions/" + new string('s', 36) + "/resourceGroups/" + new string('r', 90) + "/providers/Microsoft.OperationalInsights/workspaces/" + new string('w', 63) + "/providers/Microsoft.SecurityInsights/Incidents/" + Guid.NewGuid()),
            CardTestSupport.Created, new string('D', 5000));
        var items = Enumerable.Range(0, 25).Select(i => new CardDigestItem(Guid.NewGuid().ToString(), worst,
            [.. Enumerable.Range(0, 40).Select(d => $"Gerät-{d}-" + new string('ü', 100))],
            i % 3 == 0 ? new CardOutcome(CardOutcomeKind.Answered, CardTestSupport.Created, "yes", new string('ä', 300), CardChannel.Teams) : null)).ToList();
        foreach (var language in CardTestSupport.Catalog.Languages)
        {
            foreach (var channel in new[] { CardChannel.Email, CardChannel.Teams })
            {
                var model = CardTestSupport.DigestModel(language) with
                {
                    Digest = CardTestSupport.DigestModel().Digest! with { Items = items, AnswerEachToken = new string('t', 300), AllExpectedToken = new string('t', 300), NoneExpectedToken = new string('t', 300) },
                    Recipient = new CardRecipient(language, "Europe/Berlin", [.. Enumerable.Range(0, 100).Select(i => $"29:user-{i}")]),
                };

                var card = CardTestSupport.Composer().Compose(CardKind.OwnerDigest, channel, model);

                Assert.InRange(card.Utf16Size, 1, CardComposer.MaxCardSizeUtf16);
                var inputs = card.Content["body"]!.AsArray().Where(e => e!["type"]!.GetValue<string>() == "Container")
                    .SelectMany(c => c!["items"]!.AsArray()).Where(e => e!["type"]!.GetValue<string>() == "Input.ChoiceSet").ToList();
                Assert.Equal(16, inputs.Count);
                Assert.Equal(25, card.Content["body"]!.AsArray().Count(e => e!["type"]!.GetValue<string>() == "Container"));
                Assert.Contains("1234567", AllText(card.Content), StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void DigestCard_AnswersEachItemByItsInput_OrAllAtOnce()
    {
        var email = CardTestSupport.Composer().Compose(CardKind.OwnerDigest, CardChannel.Email, CardTestSupport.DigestModel()).Content;
        var buttons = email["actions"]!.AsArray().Select(a => JsonNode.Parse(a!["body"]!.GetValue<string>())!).ToList();
        Assert.Equal(["each", "yes", "no"], buttons.Select(b => b["answer"]!.GetValue<string>()));
        Assert.All(buttons, b => Assert.Equal("d-5e2a91", b["digestId"]!.GetValue<string>()));
        Assert.Equal("{{a0.value}},{{a1.value}},{{a2.value}},{{a3.value}}", buttons[0]["answers"]!.GetValue<string>());
        Assert.Equal(["lpt.digest-each.eyJkIjoiZC01ZTJhOTEifQ", "lpt.digest-yes.eyJkIjoiZC01ZTJhOTEifQ", "lpt.digest-no.eyJkIjoiZC01ZTJhOTEifQ"],
            buttons.Select(b => b["token"]!.GetValue<string>()));
        var inputs = email["body"]!.AsArray().Where(e => e!["type"]!.GetValue<string>() == "Container")
            .Select(c => c!["items"]!.AsArray().FirstOrDefault(e => e!["type"]!.GetValue<string>() == "Input.ChoiceSet")?["id"]?.GetValue<string>()).ToList();
        // Only open items can be answered; the answered and expired ones show their outcome.
        Assert.Equal(["a0", "a1", null, null], inputs);
        var text = AllText(email);
        Assert.Contains("No, this is NOT expected (Ali Kaya)", text, StringComparison.Ordinal);
        Assert.Contains("No response", text, StringComparison.Ordinal);
        Assert.Contains("High | PLC-07, EWS-02 | 2026-03-14 08:42", text, StringComparison.Ordinal);

        var teams = CardTestSupport.Composer().Compose(CardKind.OwnerDigest, CardChannel.Teams, CardTestSupport.DigestModel()).Content;
        var execute = teams["actions"]!.AsArray();
        Assert.All(execute, a => Assert.Equal("iotownerbot.digest", a!["verb"]!.GetValue<string>()));
        Assert.Equal(["each", "yes", "no"], execute.Select(a => a!["data"]!["answer"]!.GetValue<string>()));
        Assert.Equal("refresh", teams["refresh"]!["action"]!["data"]!["answer"]!.GetValue<string>());

        // Once nothing is open, no answer buttons are left.
        var decided = CardTestSupport.DigestModel() with
        {
            Digest = CardTestSupport.DigestModel().Digest! with
            {
                Items = [.. CardTestSupport.DigestModel().Digest!.Items.Select(i => i with { Outcome = i.Outcome ?? new CardOutcome(CardOutcomeKind.Cancelled, CardTestSupport.Created) })],
            },
        };
        Assert.Empty(CardTestSupport.Composer().Compose(CardKind.OwnerDigest, CardChannel.Email, decided).Content["actions"]!.AsArray());
    }

    private static List<string> Keys(JsonNode node, string prefix) => node is JsonObject o
        ? o.SelectMany(p => p.Value is JsonObject ? Keys(p.Value, prefix + p.Key + ".") : [prefix + p.Key]).ToList()
        : [];
}
