using System.Text.Json.Nodes;
using IoTOwnerBot.Cards;

namespace IoTOwnerBot.Tests.Cards;

/// <summary>The catalog, the lock of released templates, and questions keeping the template versions they were sent with.</summary>
public sealed class CardCatalogTests : IDisposable
{
    private readonly string _copy = Path.Combine(Path.GetTempPath(), "iotownerbot-cards-" + Guid.NewGuid().ToString("N"));

    public CardCatalogTests() => CopyDirectory(CardTestSupport.CardsDirectory, _copy);

    public void Dispose() => Directory.Delete(_copy, recursive: true);

    [Fact]
    public void Lock_HoldsForTheRepositorysCards()
    {
        // Fails when a released template was edited, deleted, or a new template was added without releasing it.
        Assert.Empty(CardTestSupport.Catalog.VerifyLock());
    }

    [Fact]
    public void Catalog_HasEveryCardForItsChannels_AtAReleasedVersion()
    {
        var catalog = CardTestSupport.Catalog;
        foreach (var kind in Enum.GetValues<CardKind>())
        {
            var id = CardCatalog.CardId(kind);
            var channels = kind == CardKind.SocThread ? [CardChannel.Teams] : new[] { CardChannel.Email, CardChannel.Teams };
            foreach (var channel in channels)
            {
                var version = catalog.CurrentVersion(id, channel);
                Assert.Contains($"{id}/{CardCatalog.ChannelName(channel)}.v{version}.json", catalog.LockEntries.Keys);
            }
        }
    }

    [Fact]
    public void EditedReleasedTemplate_FailsTheLockAndTheLoad()
    {
        var path = Path.Combine(_copy, "owner-question", "email.v1.json");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"bolder\"", "\"lighter\"", StringComparison.Ordinal));

        var ex = Assert.Throws<CardTemplateException>(() => CardCatalog.Load(_copy));

        Assert.Contains("owner-question/email.v1.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains("new version", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DeletedReleasedTemplate_FailsTheLoad()
    {
        File.Delete(Path.Combine(_copy, "owner-answered", "teams.v1.json"));
        File.WriteAllText(Path.Combine(_copy, CardCatalog.ManifestFileName), """{"current":{"owner-question/email":1}}""");

        var ex = Assert.Throws<CardTemplateException>(() => CardCatalog.Load(_copy));

        Assert.Contains("owner-answered/teams.v1.json", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NewVersion_IsADraftUntilLocked()
    {
        AddQuestionV2();

        var problems = CardCatalog.Load(_copy).VerifyLock();

        var problem = Assert.Single(problems);
        Assert.StartsWith("owner-question/teams.v2.json: not in cards.lock.json", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void QuestionSentBeforeAnUpgrade_KeepsItsVersion_NewQuestionsGetTheNewOne()
    {
        // A question sent with v1 stores the versions it was sent with.
        var before = CardTestSupport.Composer(CardCatalog.Load(_copy));
        var stored = before.CurrentVersions.ToString();
        var model = CardTestSupport.QuestionModel();
        var sent = before.Compose(CardKind.OwnerQuestion, CardChannel.Teams, model);
        Assert.Equal(1, sent.Version);

        // The Teams question card is upgraded to v2: its buttons send a different payload and verb.
        AddQuestionV2();
        Release("owner-question/teams.v2.json");
        var after = CardTestSupport.Composer(CardCatalog.Load(_copy));
        Assert.Empty(after.Catalog.VerifyLock());

        // A refresh for the old question renders v1, so the card and its callbacks keep their v1 shape...
        var refreshed = after.Compose(CardKind.OwnerQuestion, CardChannel.Teams, model, CardVersions.Parse(stored));
        Assert.Equal(1, refreshed.Version);
        Assert.True(JsonNode.DeepEquals(sent.Content, refreshed.Content));
        var oldAction = ExecuteActions(refreshed.Content)[0];
        Assert.Equal("iotownerbot.answer", oldAction["verb"]!.GetValue<string>());
        Assert.Equal("lpt.yes.eyJxIjoicS03ZDQxYzIifQ", oldAction["data"]!["token"]!.GetValue<string>());

        // ...while a new question gets v2.
        var fresh = after.Compose(CardKind.OwnerQuestion, CardChannel.Teams, model);
        Assert.Equal(2, fresh.Version);
        var newAction = ExecuteActions(fresh.Content)[0];
        Assert.Equal("iotownerbot.answer.v2", newAction["verb"]!.GetValue<string>());
        Assert.Equal(2, newAction["data"]!["cardVersion"]!.GetValue<int>());
        Assert.Equal("owner-question/teams=2", after.CurrentVersions.Versions.Where(v => v.Key == "owner-question/teams").Select(v => $"{v.Key}={v.Value}").Single());
    }

    [Fact]
    public void CardVersions_RoundTripThroughTheirStoredForm()
    {
        var versions = CardTestSupport.Catalog.CurrentVersions;

        var parsed = CardVersions.Parse(versions.ToString());

        Assert.Equal(versions, parsed);
        Assert.Equal(2, parsed.Get("soc-thread", CardChannel.Teams));
        Assert.Null(parsed.Get("soc-thread", CardChannel.Email));
        Assert.Throws<FormatException>(() => CardVersions.Parse("owner-question/email=zero"));
    }

    [Fact]
    public void TemplateWithUnknownFunction_FailsTheLoad_NamingTheFile()
    {
        File.WriteAllText(Path.Combine(_copy, "owner-question", "email.v3.json"), """{"type":"AdaptiveCard","version":"1.0","body":[{"type":"TextBlock","text":"${shout(incident.title)}"}]}""");

        var ex = Assert.Throws<CardTemplateException>(() => CardCatalog.Load(_copy));

        Assert.Contains("owner-question/email.v3.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains("shout(incident.title)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TemplateWithARefusedFunction_FailsTheLoad_NamingCardVersionLocationAndFunction()
    {
        File.WriteAllText(
            Path.Combine(_copy, "owner-question", "email.v3.json"),
            """{"type":"AdaptiveCard","version":"1.0","body":[{"type":"TextBlock","text":"ok"},{"type":"TextBlock","$when":"${isDate(incident.createdAt)}","text":"x"}]}""");

        var ex = Assert.Throws<CardTemplateException>(() => CardCatalog.Load(_copy));

        Assert.Equal("owner-question/email.v3.json", ex.TemplateName);
        Assert.Equal("/body/1/$when", ex.Location);
        Assert.Contains("function 'isDate' is not supported", ex.Message, StringComparison.Ordinal);
    }

    private static JsonNode[] ExecuteActions(JsonObject card) =>
        card["actions"]!.AsArray().Where(a => a!["type"]!.GetValue<string>() == "Action.Execute").Select(a => a!).ToArray();

    private void AddQuestionV2()
    {
        var v1 = File.ReadAllText(Path.Combine(_copy, "owner-question", "teams.v1.json"));
        var v2 = v1
            .Replace("\"verb\": \"iotownerbot.answer\"", "\"verb\": \"iotownerbot.answer.v2\"", StringComparison.Ordinal)
            .Replace("\"token\": \"${token}\"", "\"token\": \"${token}\",\n          \"cardVersion\": 2", StringComparison.Ordinal);
        Assert.NotEqual(v1, v2);
        File.WriteAllText(Path.Combine(_copy, "owner-question", "teams.v2.json"), v2);
        File.Copy(Path.Combine(_copy, "owner-question", "teams.v1.sample.json"), Path.Combine(_copy, "owner-question", "teams.v2.sample.json"));
        var manifestPath = Path.Combine(_copy, CardCatalog.ManifestFileName);
        var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!;
        manifest["current"]!["owner-question/teams"] = 2;
        File.WriteAllText(manifestPath, manifest.ToJsonString());
    }

    private void Release(string relativePath)
    {
        var lockPath = Path.Combine(_copy, CardCatalog.LockFileName);
        var lockFile = JsonNode.Parse(File.ReadAllText(lockPath))!;
        lockFile["released"]![relativePath] = CardCatalog.ComputeHash(Path.Combine(_copy, relativePath));
        File.WriteAllText(lockPath, lockFile.ToJsonString());
    }

    private static void CopyDirectory(string source, string target)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
    }
}
