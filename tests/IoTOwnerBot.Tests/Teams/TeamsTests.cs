using System.Text.Json.Nodes;
using IoTOwnerBot.Cards;
using IoTOwnerBot.Emulator.Teams;
using IoTOwnerBot.Questions;
using IoTOwnerBot.Teams;
using IoTOwnerBot.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IoTOwnerBot.Tests.Teams;

public sealed class TeamsTests : IntegrationTest
{
    // rtu-dnp3-command is owned by Emily Johnson (mailbox) and David Miller (no mailbox).
    private const string David = "david.miller@contoso.example";
    private const string Emily = "emily.johnson@contoso.example";
    private const string Olivia = "olivia.brown@contoso.example";
    private const string Klaus = "klaus.schmidt@contoso.example";

    private async Task<(EmulatorAdmin.RaisedIncident Incident, Question Question)> RaiseAsync(string sample)
    {
        var incident = await Admin.RaiseAsync(sample);
        using var response = await PostIncidentAsync(incident.TriggerPayload);
        response.EnsureSuccessStatusCode();
        return (incident, await QuestionForAsync(incident.ArmId));
    }

    private static IEnumerable<JsonObject> AnswerActions(JsonObject? card) =>
        card?["actions"]?.AsArray().OfType<JsonObject>().Where(a => (string?)a["verb"] == TeamsCards.AnswerVerb) ?? [];

    private Task<Question> ReloadAsync(Guid id) => Bot.QueryAsync(db => db.Questions.AsNoTracking()
        .Include(q => q.Recipients).Include(q => q.Timeline).SingleAsync(q => q.Id == id));

    [Fact]
    public async Task OwnerWithoutMailbox_GetsTeamsCardAtOnce()
    {
        var (_, question) = await RaiseAsync("rtu-dnp3-command");
        using var david = new TeamsUser(Emulator, Bot, David);

        var chat = await david.WaitForMessagesAsync();

        var message = Assert.Single(chat.Messages);
        var card = message.Card;
        Assert.Equal("1.5", (string?)card?["version"]);
        Assert.Equal(2, AnswerActions(card).Count());
        Assert.All(AnswerActions(card), a => Assert.Equal(question.Id.ToString("D"), (string?)a["data"]?["questionId"]));
        Assert.Equal(TeamsCards.RefreshVerb, (string?)card?["refresh"]?["action"]?["verb"]);
        Assert.Equal(chat.TeamsUserId, (string?)card?["refresh"]?["userIds"]?[0]);
        Assert.Null(Emulator.Teams.ChatOf(Emily));
        var timeline = (await ReloadAsync(question.Id)).Timeline;
        Assert.Contains(timeline, t => t.Kind == TeamsTimeline.Planned && t.Message.Contains("no mailbox", StringComparison.Ordinal));
        Assert.Contains(timeline, t => t.Kind == TeamsTimeline.Sent);
        Assert.Contains(timeline, t => t.Kind == TeamsTimeline.FallbackScheduled && t.Message.Contains("Emily", StringComparison.Ordinal));
        var reference = await Bot.QueryAsync(db => db.TeamsConversations.SingleAsync());
        Assert.Equal(chat.ConversationId, reference.ConversationId);
        Assert.Equal(chat.TeamsUserId, reference.TeamsUserId);
    }

    [Fact]
    public async Task AppNotInstalled_403_InstallsTheAppThroughGraph_ThenSends()
    {
        await RaiseAsync("rtu-dnp3-command");
        using var david = new TeamsUser(Emulator, Bot, David);
        await david.WaitForMessagesAsync();

        var calls = (await Admin.RequestsAsync("/")).Where(r => r.Path.Contains("/teams/", StringComparison.Ordinal) || r.Path.Contains("installedApps", StringComparison.Ordinal))
            .Select(r => $"{r.Method} {(r.Path.Contains("installedApps", StringComparison.Ordinal) ? "installedApps" : r.Path.EndsWith("/activities", StringComparison.Ordinal) ? "activities" : r.Path.Contains("pagedmembers", StringComparison.Ordinal) ? "members" : "conversations")} {r.Status}")
            .ToList();
        Assert.Equal(["POST conversations 403", "GET installedApps 200", "POST installedApps 201", "POST conversations 201", "GET members 200", "POST activities 201"], calls);
        Assert.True(Emulator.Teams.IsInstalled("7e4aa745-9ff6-4e31-8ebf-f7b5871b1618"));
    }

    [Fact]
    public async Task ClickInTeams_UpdatesIncidentOnce_UpdatesBaseCard_AndLaterAnswersGetTheOutcome()
    {
        var (incident, question) = await RaiseAsync("rtu-dnp3-command");
        using var david = new TeamsUser(Emulator, Bot, David);
        var message = Assert.Single((await david.WaitForMessagesAsync()).Messages);
        var commentsBefore = (await Admin.CommentsAsync(incident.Name)).Count;
        var noButton = AnswerActions(message.Card).Single(a => (string?)a["data"]?["answer"] == "no");

        var reply = await david.ClickAsync(message.Id, "yes");

        Assert.Equal(200, (int)reply["status"]!);
        Assert.Equal(200, (int)reply["body"]!["statusCode"]!);
        Assert.Equal(InvokeResponse.CardType, (string?)reply["body"]!["type"]);
        var refreshed = reply["body"]!["value"]!.AsObject();
        Assert.Empty(AnswerActions(refreshed));
        Assert.Contains("David Miller", refreshed.ToJsonString(), StringComparison.Ordinal);

        await Bot.WaitForAsync(_ => Task.FromResult(david.Chat!.Messages[0].UpdateCount == 1), "the base card update");
        await Bot.WaitForIdleAsync();
        var updated = david.Chat!.Messages.Single();
        Assert.Empty(AnswerActions(updated.Card));
        Assert.Contains("Answer recorded", updated.Card!.ToJsonString(), StringComparison.Ordinal);

        var answered = await ReloadAsync(question.Id);
        Assert.Equal(QuestionState.Answered, answered.State);
        Assert.Equal("Teams", answered.AnswerChannel);
        var details = await Admin.IncidentAsync(incident.Name);
        Assert.Equal("Closed", (string?)details["incident"]!["properties"]!["status"]);
        var comments = await Admin.CommentsAsync(incident.Name);
        var answerComments = comments.Count - commentsBefore;

        // A double click, and the same question answered later from Outlook: the outcome, nothing changes.
        var again = await david.ClickActionAsync(message.Id, noButton);
        Assert.Equal(200, (int)again["body"]!["statusCode"]!);
        Assert.Empty(AnswerActions(again["body"]!["value"]!.AsObject()));
        await using (var scope = Bot.Services.CreateAsyncScope())
        {
            var emily = answered.Recipients.Single(r => r.Mail == Emily);
            var later = await scope.ServiceProvider.GetRequiredService<AnswerService>().AnswerAsync(question.Id, OwnerAnswer.NotExpected,
                new Responder(emily.ObjectId, emily.UserPrincipalName, Emulator.TenantId, emily.DisplayName), "Outlook", CancellationToken.None);
            Assert.Equal(AnswerStatus.AlreadyDecided, later.Status);
            var outlookCard = scope.ServiceProvider.GetRequiredService<CardComposer>().Compose(CardKind.OwnerAnswered, CardChannel.Email, new CardModel
            {
                QuestionId = question.Id.ToString("D"),
                Incident = new CardIncident("1", "t", "High", new Uri("https://portal.azure.com/"), DateTimeOffset.UtcNow),
                Outcome = new CardOutcome(CardOutcomeKind.Answered, later.Question!.AnsweredAt!.Value, "yes", later.Question.AnsweredBy, CardChannel.Teams),
            });
            Assert.Contains("Teams", outlookCard.ToJson(), StringComparison.Ordinal);
        }
        await Bot.WaitForIdleAsync();
        Assert.Equal(comments.Count, (await Admin.CommentsAsync(incident.Name)).Count);
        Assert.True(answerComments >= 1);
        Assert.Equal("Closed", (string?)(await Admin.IncidentAsync(incident.Name))["incident"]!["properties"]!["status"]);
        Assert.Equal(1, david.Chat!.Messages.Single().UpdateCount);
        Assert.Equal(1, await Bot.QueryAsync(db => db.Timeline.CountAsync(t => t.QuestionId == question.Id && t.Kind == TimelineKinds.AnswerRecorded)));
    }

    [Fact]
    public async Task Refresh_ShowsTheCurrentState()
    {
        await RaiseAsync("rtu-dnp3-command");
        using var david = new TeamsUser(Emulator, Bot, David);
        var message = Assert.Single((await david.WaitForMessagesAsync()).Messages);

        var open = await david.RefreshAsync(message.Id);
        Assert.Equal(2, AnswerActions(open["body"]!["value"]!.AsObject()).Count());
        var refresh = open["body"]!["value"]!["refresh"]!["action"]!.AsObject();

        await david.ClickAsync(message.Id, "no");
        // Another of David's clients still shows the open card and refreshes it (the chat's own copy may already be
        // updated to the answered card, which has no refresh of its own).
        var closed = await david.ClickActionAsync(message.Id, refresh);

        Assert.Empty(AnswerActions(closed["body"]!["value"]!.AsObject()));
        Assert.Contains("Answer recorded", closed["body"]!["value"]!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeFromUserWhoIsNotARecipient_IsRejected_AndChangesNothing()
    {
        var (incident, question) = await RaiseAsync("rtu-dnp3-command");
        using var david = new TeamsUser(Emulator, Bot, David);
        var message = Assert.Single((await david.WaitForMessagesAsync()).Messages);
        await Bot.WaitForIdleAsync();
        var comments = (await Admin.CommentsAsync(incident.Name)).Count;

        var reply = await david.ClickAsync(message.Id, "yes", asUser: Olivia);

        Assert.Equal(200, (int)reply["status"]!);
        Assert.Equal(403, (int)reply["body"]!["statusCode"]!);
        Assert.Equal(InvokeResponse.ErrorType, (string?)reply["body"]!["type"]);
        await Bot.WaitForIdleAsync();
        var after = await ReloadAsync(question.Id);
        Assert.Equal(QuestionState.Open, after.State);
        Assert.Contains(after.Timeline, t => t.Kind == TimelineKinds.ResponderRejected && t.Message.Contains("Teams", StringComparison.Ordinal));
        Assert.NotEqual("Closed", (string?)(await Admin.IncidentAsync(incident.Name))["incident"]!["properties"]!["status"]);
        Assert.Equal(comments + 1, (await Admin.CommentsAsync(incident.Name)).Count); // the security comment only
        Assert.Equal(0, david.Chat!.Messages.Single().UpdateCount);
    }

    public static TheoryData<string, string, int> BadTokens => new()
    {
        { "expired", """{"expired":true}""", 401 },
        { "wrong audience", """{"audience":"00000000-0000-0000-0000-000000000bad"}""", 401 },
        { "unknown signing key", """{"key":"Unknown"}""", 401 },
        { "wrong issuer", """{"issuer":"https://api.botframework.com"}""", 401 },
        { "no token", """{"omit":true}""", 401 },
        { "key not endorsed for msteams", """{"key":"Unendorsed"}""", 403 },
        { "serviceurl claim of another service", """{"serviceUrl":"https://smba.trafficmanager.net/amer/"}""", 401 },
        { "no serviceurl claim", """{"omitServiceUrl":true}""", 401 },
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task BadBotFrameworkToken_IsRejected_AndChangesNothing(string why, string token, int status)
    {
        var (_, question) = await RaiseAsync("rtu-dnp3-command");
        using var david = new TeamsUser(Emulator, Bot, David);
        var message = Assert.Single((await david.WaitForMessagesAsync()).Messages);
        await Bot.WaitForIdleAsync();
        var timeline = (await ReloadAsync(question.Id)).Timeline.Count;

        var reply = await david.ClickAsync(message.Id, "yes", token: JsonNode.Parse(token)!.AsObject());

        Assert.True(status == (int)reply["status"]!, $"{why}: got {reply["status"]}");
        var after = await ReloadAsync(question.Id);
        Assert.Equal(QuestionState.Open, after.State);
        Assert.Equal(timeline, after.Timeline.Count);
    }

    [Fact]
    public async Task Throttled429_IsRetried_AndTheCardArrives()
    {
        await Admin.FaultAsync("/teams/v3/conversations", 429, times: 1, method: "POST", retryAfterSeconds: 1);

        await RaiseAsync("rtu-dnp3-command");
        using var david = new TeamsUser(Emulator, Bot, David);
        await david.WaitForMessagesAsync();

        var posts = (await Admin.RequestsAsync("/teams/v3/conversations")).Where(r => r.Method == "POST").Select(r => r.Status).ToList();
        Assert.Equal(429, posts[0]);
        Assert.Contains(201, posts);
        var throttled = (await Admin.RequestsAsync("/teams/v3/conversations"))[0];
        var retried = (await Admin.RequestsAsync("/teams/v3/conversations"))[1];
        Assert.True(retried.At - throttled.At >= TimeSpan.FromSeconds(0.9), "Retry-After was honoured");
    }

    [Fact]
    public async Task Install_GetsAGreeting_Message_GetsHelp_UnknownActivities_Get200()
    {
        using var olivia = new TeamsUser(Emulator, Bot, Olivia);
        Emulator.Teams.BotAppId = IoTOwnerBot.Hosting.LocalDefaults.BotAppId;

        var install = await olivia.SendAsync(new JsonObject
        {
            ["type"] = "conversationUpdate",
            ["membersAdded"] = new JsonArray(new JsonObject { ["id"] = "28:" + IoTOwnerBot.Hosting.LocalDefaults.BotAppId }),
        });
        Assert.Equal(200, (int)install["status"]!);
        var chat = await olivia.WaitForMessagesAsync();
        Assert.Contains("IoTOwnerBot", (string?)chat.Messages[0].Activity["text"], StringComparison.Ordinal);

        var message = await olivia.SendAsync(new JsonObject { ["type"] = "message", ["text"] = "what are you?" });
        Assert.Equal(200, (int)message["status"]!);
        chat = await olivia.WaitForMessagesAsync(2);
        Assert.Contains("buttons", (string?)chat.Messages[1].Activity["text"], StringComparison.Ordinal);

        var reaction = await olivia.SendAsync(new JsonObject { ["type"] = "messageReaction", ["reactionsAdded"] = new JsonArray(new JsonObject { ["type"] = "like" }) });
        Assert.Equal(200, (int)reaction["status"]!);
        var invoke = await olivia.SendAsync(new JsonObject { ["type"] = "invoke", ["name"] = "composeExtension/query", ["value"] = new JsonObject() });
        Assert.Equal(200, (int)invoke["status"]!);
        Assert.Equal(501, (int)invoke["body"]!["statusCode"]!);
        var badAction = await olivia.SendAsync(new JsonObject { ["type"] = "invoke", ["name"] = "adaptiveCard/action", ["value"] = new JsonObject { ["action"] = new JsonObject { ["verb"] = "x" } } });
        Assert.Equal(400, (int)badAction["body"]!["statusCode"]!);

        var reference = await Bot.QueryAsync(db => db.TeamsConversations.SingleAsync());
        Assert.Equal(chat.ConversationId, reference.ConversationId);
        Assert.Equal(Emulator.TeamsServiceUrl, reference.ServiceUrl);
        await Bot.WaitForIdleAsync();
        Assert.Equal(2, olivia.Chat!.Messages.Count);
    }
}
