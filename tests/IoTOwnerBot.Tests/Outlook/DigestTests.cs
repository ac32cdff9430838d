using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTOwnerBot.Digests;
using IoTOwnerBot.Emulator.Outlook;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Outlook;
using IoTOwnerBot.Questions;
using IoTOwnerBot.Teams;
using IoTOwnerBot.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace IoTOwnerBot.Tests.Outlook;

/// <summary>Issue 6, item 7: an incident storm on one owner's devices is one digest; every incident still gets its own decision.</summary>
public sealed class DigestTests : StormTest
{
    private const int SendMyAnswers = 0;
    private const int AllExpected = 1;
    private const int NoneExpected = 2;

    [Fact]
    public async Task StormOfTwentyIncidents_IsOneDigestEmail_ListingAllTwenty()
    {
        var questions = await StormAsync(Enumerable.Repeat<string[]>([Klaus], 20));

        // Nothing goes out while the window is open: the owner's questions are gathered first.
        Assert.Empty(await Outlook.InboxAsync(Klaus));
        await CloseWindowAsync();

        var mail = Assert.Single(await Outlook.InboxAsync(Klaus));
        Assert.Contains("20", mail.Subject, StringComparison.Ordinal);
        Assert.Single(await Outlook.SentItemsAsync(OutlookDefaults.SenderMailbox));
        var card = OutlookClick.ParseCard(mail.Body)!;
        Assert.Equal("1.0", (string?)card["version"]);
        Assert.Equal(OutlookDefaults.ProviderId, (string?)card["originator"]);
        Assert.Equal(20, Choices(card).Count);
        var text = card.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        foreach (var q in questions) Assert.Contains($"{q.IncidentNumber}", text, StringComparison.Ordinal);
        Assert.Equal(["each", "yes", "no"], card["actions"]!.AsArray().Select(a => (string)JsonNode.Parse((string)a!["body"]!)!["answer"]!));

        // Each question says it went out in the digest.
        var sent = await Bot.QueryAsync(db => db.Timeline.Where(t => t.Kind == OutlookTimeline.DeliverySentInDigest).ToListAsync());
        Assert.Equal(20, sent.Count);
        Assert.All(sent, t => Assert.Contains("digest with 19 other incident(s)", t.Message, StringComparison.Ordinal));
        Assert.Equal(20, await Bot.QueryAsync(db => db.DeliveryClaims.CountAsync(c => c.DigestId != null)));
    }

    [Fact]
    public async Task OneQuestionInTheWindow_IsTheNormalQuestionEmail()
    {
        var question = Assert.Single(await StormAsync([[Klaus]]));
        await CloseWindowAsync();

        var card = OutlookClick.ParseCard(Assert.Single(await Outlook.InboxAsync(Klaus)).Body)!;
        var bodies = card["actions"]!.AsArray().Where(a => (string?)a!["type"] == "Action.Http").Select(a => JsonNode.Parse((string)a!["body"]!)!).ToList();
        Assert.Equal([question.Id.ToString(), question.Id.ToString()], bodies.Select(b => (string)b["questionId"]!));
        Assert.Equal(0, await Bot.QueryAsync(db => db.Digests.CountAsync()));
    }

    [Fact]
    public async Task PerIncidentAnswer_DecidesThatIncidentOnly_ThenNoneExpected_EscalatesEveryOtherOnce()
    {
        var questions = await StormAsync(Enumerable.Repeat<string[]>([Klaus], 20));
        await CloseWindowAsync();
        var first = questions[0];

        // Klaus answers only the first incident: expected.
        var click = await Outlook.ClickAsync(Klaus, SendMyAnswers, Klaus, inputs: new JsonObject { ["a0"] = "yes" });
        await Bot.WaitForIdleAsync();

        Assert.Equal(200, click.Status);
        Assert.Contains("1 answer(s) recorded", click.CardActionStatus, StringComparison.Ordinal);
        Assert.True(click.CardUpdated);
        Assert.Equal(19, Choices(click.Card!).Count);
        var noneButton = (string)click.Card!["actions"]![NoneExpected]!["body"]!;
        Assert.Equal(QuestionState.Answered, (await QuestionAsync(first.Id)).State);
        Assert.Equal("Closed", (string?)(await PropertiesAsync(first.IncidentName))["status"]);
        foreach (var q in questions.Skip(1))
        {
            Assert.Equal(QuestionState.Open, (await QuestionAsync(q.Id)).State);
            Assert.Equal("New", (string?)(await PropertiesAsync(q.IncidentName))["status"]);
        }

        // Then "None of these were expected": every other incident is escalated, each with one comment.
        click = await Outlook.ClickAsync(Klaus, NoneExpected, Klaus);
        await Bot.WaitForIdleAsync();

        Assert.Equal(200, click.Status);
        Assert.Contains("19 answer(s) recorded (0 expected, 19 not expected)", click.CardActionStatus, StringComparison.Ordinal);
        Assert.Empty(Choices(click.Card!));
        Assert.DoesNotContain(click.Card!["actions"]!.AsArray(), a => (string?)a!["type"] == "Action.Http");
        foreach (var q in questions.Skip(1))
        {
            var stored = await QuestionAsync(q.Id);
            Assert.Equal(OwnerAnswer.NotExpected, stored.Answer);
            Assert.Equal(OutlookExtensions.Channel, stored.AnswerChannel);
            var p = await PropertiesAsync(q.IncidentName);
            Assert.Equal("Active", (string?)p["status"]);
            Assert.Equal("High", (string?)p["severity"]);
            Assert.Contains("IoT owner: not expected", Labels(p));
            Assert.Single(await Admin.CommentsAsync(q.IncidentName), c => c.Contains("answered", StringComparison.Ordinal));
        }
        Assert.Single(await Admin.CommentsAsync(first.IncidentName), c => c.Contains("answered", StringComparison.Ordinal));
        Assert.Equal("Closed", (string?)(await PropertiesAsync(first.IncidentName))["status"]);

        // The same button again (a double click, a replayed request) decides nothing more.
        using var again = await PostActionAsync(noneButton, Klaus);
        await Bot.WaitForIdleAsync();
        Assert.Equal(System.Net.HttpStatusCode.OK, again.StatusCode);
        Assert.Contains("20 incident(s) had already been answered", string.Join("", again.Headers.GetValues(OutlookExtensions.StatusHeader)), StringComparison.Ordinal);
        foreach (var q in questions)
            Assert.Single(await Admin.CommentsAsync(q.IncidentName), c => c.Contains("answered", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AllExpected_ClosesEveryIncident_AndAnotherOwnersEarlierAnswersStand()
    {
        // Klaus owns six devices with incidents; Maria co-owns three of them.
        var owners = Enumerable.Range(0, 6).Select(i => i % 2 == 0 ? new[] { Klaus, Maria } : [Klaus]).ToList();
        var questions = await StormAsync(owners);
        await CloseWindowAsync();
        Assert.Single(await Outlook.InboxAsync(Klaus));
        var mariasMail = Assert.Single(await Outlook.InboxAsync(Maria));
        Assert.Equal(3, Choices(OutlookClick.ParseCard(mariasMail.Body)!).Count);

        var maria = await Outlook.ClickAsync(Maria, NoneExpected, Maria);
        var klaus = await Outlook.ClickAsync(Klaus, AllExpected, Klaus);
        await Bot.WaitForIdleAsync();

        Assert.Equal(200, maria.Status);
        Assert.Equal(200, klaus.Status);
        Assert.Contains("3 answer(s) recorded (3 expected, 0 not expected)", klaus.CardActionStatus, StringComparison.Ordinal);
        Assert.Contains("3 incident(s) had already been answered", klaus.CardActionStatus, StringComparison.Ordinal);
        for (var i = 0; i < questions.Count; i++)
        {
            var stored = await QuestionAsync(questions[i].Id);
            var p = await PropertiesAsync(questions[i].IncidentName);
            var comment = Assert.Single(await Admin.CommentsAsync(questions[i].IncidentName), c => c.Contains("answered", StringComparison.Ordinal));
            if (i % 2 == 0)
            {
                Assert.Equal(OwnerAnswer.NotExpected, stored.Answer);
                Assert.Contains("Maria", stored.AnsweredBy, StringComparison.Ordinal);
                Assert.Contains("Maria", comment, StringComparison.Ordinal);
                Assert.Equal("Active", (string?)p["status"]);
            }
            else
            {
                Assert.Equal(OwnerAnswer.Expected, stored.Answer);
                Assert.Contains("Klaus", comment, StringComparison.Ordinal);
                Assert.Equal("Closed", (string?)p["status"]);
            }
        }
        // Klaus's refreshed card shows Maria's answers too.
        Assert.Contains("Maria", klaus.Card!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForwardedDigest_ClickedBySomeoneElse_IsRefused_AndDecidesNothing()
    {
        var questions = await StormAsync([[Klaus], [Klaus], [Klaus]]);
        await CloseWindowAsync();

        var click = await Outlook.ClickAsync(Klaus, AllExpected, Maria);
        await Bot.WaitForIdleAsync();

        Assert.Equal(403, click.Status);
        Assert.False(click.CardUpdated);
        foreach (var q in questions) Assert.Equal(QuestionState.Open, (await QuestionAsync(q.Id)).State);
        Assert.False(await Bot.QueryAsync(db => db.WorkItems.AnyAsync(w => w.Kind == IncidentUpdateWork.Kind)));
        Assert.True(await Bot.QueryAsync(db => db.Timeline.AnyAsync(t => t.Kind == TimelineKinds.ResponderRejected)));
    }

    [Fact]
    public async Task CrashAfterGraphAcceptedTheDigest_DoesNotSendItAgain()
    {
        await StormAsync([[Klaus], [Klaus], [Klaus]]);
        await CloseWindowAsync();
        Assert.Single(await Outlook.InboxAsync(Klaus));

        // The worker died after sendMail succeeded but before it saved: the digest's work runs again, with the record
        // that its effect started, once Exchange has had time to save the copy in Sent Items.
        var started = FakeClock.GetUtcNow();
        await Bot.QueryAsync(db => db.Digests.ExecuteUpdateAsync(s => s.SetProperty(d => d.SentAt, (DateTimeOffset?)null)));
        await Bot.QueryAsync(db => db.WorkItems.Where(w => w.Kind == OutlookDigestWork.Kind)
            .ExecuteUpdateAsync(s => s.SetProperty(w => w.Status, WorkStatus.Pending).SetProperty(w => w.DueAt, started)
                .SetProperty(w => w.EffectStartedAt, started)));
        FakeClock.Advance(Bot.Services.GetRequiredService<IOptionsMonitor<OutlookOptions>>().CurrentValue.UncertainSendRecheckDelay);
        Bot.Services.GetRequiredService<WorkSignal>().Notify();
        await Bot.WaitForAsync(db => db.Digests.AllAsync(d => d.SentAt != null), "the digest marked sent again");

        Assert.Single(await Outlook.InboxAsync(Klaus));
        Assert.NotEmpty(await Admin.RequestsAsync("mailFolders/sentitems"));
    }
}

/// <summary>A fake clock, a two-minute storm window, raising incidents for chosen owners, and letting the window pass.</summary>
public abstract class StormTest : IntegrationTest
{
    protected const string Klaus = "klaus.schmidt@contoso.example";
    protected const string Maria = "maria.garcia@contoso.example";
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(2);

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    protected override TimeProvider? Clock => _clock;

    protected FakeTimeProvider FakeClock => _clock;

    protected OutlookClient Outlook { get; private set; } = null!;

    protected override void Configure(Dictionary<string, string?> settings) => settings["Digest:Window"] = "00:02:00";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Outlook = new OutlookClient(Emulator);
    }

    public override async Task DisposeAsync()
    {
        Outlook.Dispose();
        await base.DisposeAsync();
    }

    // ---------- helpers ----------

    /// <summary>Raises one incident per entry (its device owned by those owners), posts each, and waits for the questions.</summary>
    protected async Task<List<Question>> StormAsync(IEnumerable<string[]> owners)
    {
        var names = new List<string>();
        foreach (var o in owners)
        {
            var incident = await RaiseWithOwnersAsync(o);
            using var response = await PostIncidentAsync(incident.TriggerPayload);
            response.EnsureSuccessStatusCode();
            names.Add(incident.Name);
        }
        await Bot.WaitForAsync(async db => await db.Questions.CountAsync() == names.Count, $"{names.Count} questions");
        await Bot.WaitForIdleAsync();
        var questions = await Bot.QueryAsync(db => db.Questions.AsNoTracking().ToListAsync());
        return [.. names.Select(n => questions.Single(q => q.IncidentName == n))];
    }

    /// <summary>The storm window passes: the waiting sends run.</summary>
    protected async Task CloseWindowAsync()
    {
        _clock.Advance(Window + TimeSpan.FromSeconds(1));
        Bot.Services.GetRequiredService<WorkSignal>().Notify();
        string[] sends = [OutlookSendWork.Kind, OutlookDigestWork.Kind, TeamsSendWork.Kind, TeamsDigestWork.Kind];
        // E-mails are paced by the sender's budget (30 a minute): the clock follows each send to its slot.
        await Bot.SettleAsync(_clock);
        await Bot.WaitForAsync(db => db.WorkItems.AllAsync(w => !sends.Contains(w.Kind) || w.Status != WorkStatus.Pending), "every question sent");
        await Bot.WaitForIdleAsync();
    }

    /// <summary>Posts a button's body to the service as Microsoft's Actions service would for <paramref name="user"/>.</summary>
    protected async Task<HttpResponseMessage> PostActionAsync(string body, string user)
    {
        var token = Emulator.MintToken(new IoTOwnerBot.Emulator.Entra.TokenRequest
        {
            Kind = IoTOwnerBot.Emulator.Entra.TokenKind.User, User = user, Version = "1.0", Audience = OutlookDefaults.AppIdUri, Scopes = OutlookDefaults.Scope,
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/outlook/actions")
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add(OutlookExtensions.ActionRequestIdHeader, Guid.NewGuid().ToString());
        return await Bot.Client.SendAsync(request);
    }

    protected static List<JsonObject> Choices(JsonObject card) =>
        [.. card["body"]!.AsArray().OfType<JsonObject>().Where(e => (string?)e["type"] == "Container")
            .SelectMany(c => c["items"]!.AsArray().OfType<JsonObject>()).Where(e => (string?)e["type"] == "Input.ChoiceSet")];

    protected Task<Question> QuestionAsync(Guid id) => Bot.QueryAsync(db => db.Questions.AsNoTracking().SingleAsync(q => q.Id == id));

    protected async Task<JsonObject> PropertiesAsync(string name) =>
        (await Admin.IncidentAsync(name))["incident"]!["properties"]!.AsObject();

    protected static List<string> Labels(JsonObject properties) =>
        [.. (properties["labels"]?.AsArray() ?? []).Select(l => (string)l!["labelName"]!)];

    private async Task<EmulatorAdmin.RaisedIncident> RaiseWithOwnersAsync(string[] owners)
    {
        using var http = new HttpClient { BaseAddress = Emulator.BaseUri };
        var body = new JsonObject
        {
            ["sample"] = Samples.PlcProgramming,
            ["devices"] = new JsonArray(new JsonObject { ["owners"] = new JsonArray([.. owners.Select(o => (JsonNode)o)]) }),
        };
        using var response = await http.PostAsJsonAsync("admin/incidents", body);
        response.EnsureSuccessStatusCode();
        var json = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var i = json["incident"]!;
        return new EmulatorAdmin.RaisedIncident((string)i["name"]!, (string)i["id"]!, json["triggerPayload"]!.AsObject());
    }
}

/// <summary>A Teams-only owner in a storm gets one digest card in their chat, answered per incident or all at once.</summary>
public sealed class TeamsDigestTests : StormTest
{
    protected override void Configure(Dictionary<string, string?> settings)
    {
        base.Configure(settings);
        settings["Delivery:Mode"] = "TeamsOnly";
    }

    [Fact]
    public async Task TeamsOnlyOwner_GetsOneDigestCard_PerIncidentThenAllAnswersApplyToEach()
    {
        var questions = await StormAsync(Enumerable.Repeat<string[]>([Klaus], 6));
        using var klaus = new TeamsUser(Emulator, Bot, Klaus);
        Assert.Null(klaus.Chat);
        await CloseWindowAsync();

        var chat = await klaus.WaitForMessagesAsync();
        var message = Assert.Single(chat.Messages);
        var card = message.Card!;
        Assert.Equal("1.5", (string?)card["version"]);
        Assert.Equal(6, Choices(card).Count);
        Assert.Empty(await Outlook.InboxAsync(Klaus));
        var digestId = (string)card["actions"]![0]!["data"]!["digestId"]!;

        // The second incident: not expected (its choice travels in the action data, as Teams sends inputs).
        var reply = await klaus.ClickActionAsync(message.Id, new JsonObject
        {
            ["verb"] = TeamsCards.DigestVerb, ["data"] = new JsonObject { ["digestId"] = digestId, ["answer"] = "each", ["a1"] = "no", ["a2"] = "" },
        });
        await Bot.WaitForIdleAsync();
        Assert.Equal(200, (int)reply["status"]!);
        Assert.Equal(5, Choices(reply["body"]!["value"]!.AsObject()).Count);
        Assert.Equal(OwnerAnswer.NotExpected, (await QuestionAsync(questions[1].Id)).Answer);
        Assert.Equal("High", (string?)(await PropertiesAsync(questions[1].IncidentName))["severity"]);
        Assert.Equal(5, await Bot.QueryAsync(db => db.Questions.CountAsync(q => q.State == QuestionState.Open)));

        // Then "all of these are expected": the five others close, the second stays as answered.
        reply = await klaus.ClickActionAsync(message.Id, new JsonObject
        {
            ["verb"] = TeamsCards.DigestVerb, ["data"] = new JsonObject { ["digestId"] = digestId, ["answer"] = "yes" },
        });
        await Bot.WaitForIdleAsync();
        Assert.Equal(200, (int)reply["status"]!);
        for (var i = 0; i < questions.Count; i++)
        {
            var p = await PropertiesAsync(questions[i].IncidentName);
            Assert.Equal(i == 1 ? "Active" : "Closed", (string?)p["status"]);
            Assert.Single(await Admin.CommentsAsync(questions[i].IncidentName), c => c.Contains("answered", StringComparison.Ordinal));
        }
        // The card in the chat shows every outcome, for every view.
        await Bot.WaitForAsync(_ => Task.FromResult(Choices(klaus.Chat!.Messages[0].Card!).Count == 0), "the digest card updated");
        Assert.Single(klaus.Chat!.Messages);
        Assert.Empty(klaus.Chat!.Messages[0].Card!["actions"]!.AsArray());
    }
}
