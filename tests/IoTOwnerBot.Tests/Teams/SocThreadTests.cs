using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTOwnerBot.Emulator.Teams;
using IoTOwnerBot.Hosting;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Local;
using IoTOwnerBot.Questions;
using IoTOwnerBot.SocChannel;
using IoTOwnerBot.Teams;
using IoTOwnerBot.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace IoTOwnerBot.Tests.Teams;

[LongRun]
public sealed class SocThreadTests : IntegrationTest
{
    private const string Olivia = "olivia.brown@contoso.example"; // SOC member (SocThread:Members)
    private const string Hans = "hans.weber@contoso.example";     // in the SOC team, not a SOC member
    private const string Klaus = "klaus.schmidt@contoso.example"; // owner of the PLC in plc-programming-mode

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    protected override TimeProvider? Clock => _clock;

    protected override void Configure(Dictionary<string, string?> settings)
    {
        foreach (var (key, value) in LocalMode.SocThreadFor(Emulator)) settings[key] = value;
        settings["Lifecycle:ExpireAfter"] = "1.00:00:00";
    }

    private TeamsChannel Channel => Emulator.Teams.Channel(TeamsWorld.SocChannelId)!;

    private async Task<(EmulatorAdmin.RaisedIncident Incident, Question Question)> AskAsync()
    {
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming);
        using var response = await PostIncidentAsync(incident.TriggerPayload);
        response.EnsureSuccessStatusCode();
        var question = await QuestionForAsync(incident.ArmId);
        await Bot.WaitForIdleAsync();
        return (incident, question);
    }

    private Task<List<TimelineEvent>> TimelineAsync(string incidentKey) =>
        Bot.QueryAsync(db => db.Timeline.Where(t => db.Questions.Any(q => q.Id == t.QuestionId && q.IncidentKey == incidentKey)).ToListAsync());

    private static IEnumerable<string?> Verbs(JsonObject? card) =>
        card?["actions"]?.AsArray().OfType<JsonObject>().Where(a => (string?)a["type"] == "Action.Execute").Select(a => (string?)a["verb"]) ?? [];

    private static string Text(JsonObject? card) => card?.ToJsonString() ?? "";

    private async Task<JsonObject> ClickAsync(string rootId, string verb, string asUser)
    {
        using var http = new HttpClient { BaseAddress = Emulator.BaseUri };
        using var response = await http.PostAsJsonAsync($"admin/teams/channels/{Uri.EscapeDataString(TeamsWorld.SocChannelId)}/messages/{rootId}/actions",
            new JsonObject { ["verb"] = verb, ["asUser"] = asUser, ["messagingEndpoint"] = new Uri(Bot.BaseAddress, "api/messages").AbsoluteUri });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonNode.Parse(text)!.AsObject();
    }

    [Fact]
    public async Task NewQuestion_StartsAThreadWithTheRootCard_AndOneReplyPerTimelineEvent()
    {
        var (_, question) = await AskAsync();

        var thread = Assert.Single(Channel.Threads);
        var root = thread.Root.Card;
        Assert.Equal("1.5", (string?)root?["version"]);
        Assert.Contains(question.IncidentTitle, Text(root), StringComparison.Ordinal);
        Assert.Contains(question.Devices[0].Name, Text(root), StringComparison.Ordinal);
        Assert.Contains("Klaus", Text(root), StringComparison.Ordinal);
        Assert.Contains("Waiting for the owner", Text(root), StringComparison.Ordinal);
        Assert.Equal([SocThreadCards.CancelVerb], Verbs(root));
        Assert.Equal(question.Id.ToString("D"), (string?)root?["actions"]?.AsArray().Single(a => (string?)a?["verb"] == SocThreadCards.CancelVerb)?["data"]?["questionId"]);
        Assert.StartsWith(TeamsWorld.SocChannelId + ";messageid=" + thread.Root.Id, thread.ConversationId, StringComparison.Ordinal);

        var timeline = await TimelineAsync(question.IncidentKey);
        Assert.Equal(timeline.Count, thread.Replies.Count);
        Assert.Equal(timeline.Select(t => t.Message).Order(), thread.Replies.Select(r => WithoutReference((string?)r.Activity["text"])).Order());
        var replyIds = await Bot.QueryAsync(db => db.SocThreadReplies.Select(r => r.Id).ToListAsync());
        Assert.All(replyIds, id => Assert.Single(thread.Replies, r => ((string?)r.Activity["text"])!.EndsWith($"({SocChannelReader.ReplyMarker(id)})", StringComparison.Ordinal)));
        var stored = await Bot.QueryAsync(db => db.SocThreads.SingleAsync());
        Assert.Equal(thread.ConversationId, stored.ConversationId);
        Assert.Equal(thread.Root.Id, stored.RootActivityId);
    }

    [Fact]
    public async Task ThrottledReplies_AreRetried_AndNeverPostedTwice()
    {
        await Admin.FaultAsync("/activities", 429, times: 3, method: "POST", retryAfterSeconds: 0);

        var (_, question) = await AskAsync();

        var timeline = await TimelineAsync(question.IncidentKey);
        var replies = Assert.Single(Channel.Threads).Replies;
        Assert.Equal(timeline.Count, replies.Count);
        Assert.Equal(replies.Count, replies.Select(r => (string?)r.Activity["text"]).Distinct().Count());
        Assert.Contains(await Admin.RequestsAsync("/activities"), r => r.Status == 429);
    }

    /// <summary>A reply's text is the timeline event, then its reference in parentheses.</summary>
    private static string? WithoutReference(string? text) =>
        text is null ? null : text[..text.LastIndexOf(" (ref ", StringComparison.Ordinal)];

    private TimeSpan RecheckDelay => Bot.Services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<BotOptions>>().CurrentValue.UncertainPostRecheckDelay;

    private async Task<Question> RaiseAndSettleAsync()
    {
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming);
        using (var response = await PostIncidentAsync(incident.TriggerPayload)) response.EnsureSuccessStatusCode();
        var key = incident.ArmId.ToLowerInvariant();
        await Bot.WaitForAsync(db => db.Questions.AnyAsync(q => q.IncidentKey == key), "the question");
        await Bot.SettleAsync(_clock);
        return await Bot.QueryAsync(db => db.Questions.AsNoTracking().SingleAsync(q => q.IncidentKey == key));
    }

    /// <summary>Every reply work item runs again, as after a lost lease, once the recheck delay has passed.</summary>
    private async Task RunRepliesAgainAsync()
    {
        await Bot.QueryAsync(db => db.WorkItems.Where(w => w.Kind == SocReplyWork.Kind)
            .ExecuteUpdateAsync(s => s.SetProperty(w => w.Status, WorkStatus.Pending).SetProperty(w => w.Attempts, 0).SetProperty(w => w.DueAt, _clock.GetUtcNow())));
        _clock.Advance(RecheckDelay);
        Bot.Services.GetRequiredService<WorkSignal>().Notify();
        await Bot.WaitForIdleAsync();
    }

    [Fact]
    public async Task ReplyWork_RunAgain_AfterACrashAfterPosting_FindsTheReplyInTheThread_AndPostsNothingTwice()
    {
        var (_, question) = await AskAsync();
        var before = Assert.Single(Channel.Threads).Replies.Count;
        // A crash after Teams took the reply and before our save: the attempt is recorded, the activity id is not.
        var (crashed, posted) = await Bot.QueryAsync(async db =>
        {
            var reply = await db.SocThreadReplies.OrderBy(r => r.CompletedAt).FirstAsync();
            var id = reply.ActivityId;
            reply.ActivityId = null;
            reply.Outcome = null;
            await db.SaveChangesAsync();
            return (reply.Id, id);
        });

        await RestartBotAsync();
        await RunRepliesAgainAsync();

        Assert.Equal(before, Assert.Single(Channel.Threads).Replies.Count);
        var stored = await Bot.QueryAsync(db => db.SocThreadReplies.SingleAsync(r => r.Id == crashed));
        Assert.Equal("sent", stored.Outcome);
        Assert.Equal(posted, stored.ActivityId);
        Assert.Contains(await Admin.RequestsAsync("/replies"), r => r.Status == 200);
        Assert.Equal(before, await Bot.QueryAsync(db => db.SocThreadReplies.CountAsync()));
    }

    [Fact]
    public async Task ReplyWork_AttemptThatNeverReachedTeams_IsPostedOnce()
    {
        var (_, question) = await AskAsync();
        var thread = Assert.Single(Channel.Threads);
        // An attempt recorded whose post never arrived (the process died before the request left).
        var lost = Guid.NewGuid();
        await Bot.QueryAsync(async db =>
        {
            db.SocThreadReplies.Add(new SocThreadReply { Id = lost, IncidentKey = question.IncidentKey, QuestionId = question.Id, AttemptedAt = _clock.GetUtcNow() });
            db.Enqueue(SocReplyWork.Key(lost), new SocReplyWork(lost, question.IncidentKey, question.Id, "An event whose post was lost"), _clock.GetUtcNow(), question.Id);
            return await db.SaveChangesAsync();
        });

        await RunRepliesAgainAsync();

        var replies = Assert.Single(Channel.Threads).Replies;
        Assert.Equal(thread.Replies.Count + 1, replies.Count);
        Assert.Single(replies, r => ((string?)r.Activity["text"])!.Contains("An event whose post was lost", StringComparison.Ordinal));
        Assert.Equal("sent", await Bot.QueryAsync(db => db.SocThreadReplies.Where(r => r.Id == lost).Select(r => r.Outcome).SingleAsync()));
    }

    [Theory]
    [InlineData(502, false)]
    [InlineData(503, false)]
    [InlineData(null, true)]
    public async Task ReplyPostActsThenFails_IsFoundInTheThread_NotPostedAgain(int? status, bool drop)
    {
        await Admin.FaultAsync("/activities", status, times: 1, method: "POST", actFirst: true, drop: drop);
        var question = await RaiseAndSettleAsync();

        var timeline = await TimelineAsync(question.IncidentKey);
        var replies = Assert.Single(Channel.Threads).Replies;
        Assert.Equal(timeline.Count, replies.Count);
        Assert.Equal(replies.Count, replies.Select(r => (string?)r.Activity["text"]).Distinct().Count());
        Assert.All(await Bot.QueryAsync(db => db.SocThreadReplies.ToListAsync()), r => Assert.Equal("sent", r.Outcome));
    }

    [Fact]
    public async Task ReplyPostActsThenFails_ChannelUnreadable_IsNotPostedTwice_AndSaysSo()
    {
        await Admin.WithholdRolesAsync("ChannelMessage.Read.Group");
        await Admin.FaultAsync("/activities", 502, times: 1, method: "POST", actFirst: true);
        var question = await RaiseAndSettleAsync();

        var replies = Assert.Single(Channel.Threads).Replies;
        Assert.Equal(replies.Count, replies.Select(r => (string?)r.Activity["text"]).Distinct().Count());
        Assert.Equal((await TimelineAsync(question.IncidentKey)).Count, replies.Count);
        Assert.Single(await Bot.QueryAsync(db => db.SocThreadReplies.Where(r => r.Outcome == "uncertain").ToListAsync()));
    }

    [Theory]
    [InlineData(502)]
    [InlineData(503)]
    public async Task ThreadCreationActsThenFails_IsAdoptedFromTheChannel_OneThread_RepliesWaitWithoutSpendingAttempts(int status)
    {
        await Admin.FaultAsync("/v3/conversations", status, times: 1, method: "POST", actFirst: true);
        var question = await RaiseAndSettleAsync();

        var thread = Assert.Single(Channel.Threads);
        var stored = await Bot.QueryAsync(db => db.SocThreads.SingleAsync());
        Assert.Equal(thread.Root.Id, stored.RootActivityId);
        Assert.Equal(thread.ConversationId, stored.ConversationId);
        Assert.Equal((await TimelineAsync(question.IncidentKey)).Count, thread.Replies.Count);
        Assert.Contains(await Admin.RequestsAsync("/channels/"), r => r.Status == 200);
        Assert.DoesNotContain(await Bot.QueryAsync(db => db.WorkItems.Where(w => w.Kind == SocReplyWork.Kind).Select(w => w.Status).ToListAsync()), s => s == WorkStatus.Failed);
    }

    [Fact]
    public async Task Answer_UpdatesTheRootCard_WithReask()
    {
        var (_, question) = await AskAsync();
        var klaus = question.Recipients.Single();

        await using (var scope = Bot.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<AnswerService>().AnswerAsync(question.Id, OwnerAnswer.Expected,
                new Responder(klaus.ObjectId, klaus.UserPrincipalName, Emulator.TenantId, klaus.DisplayName), "Outlook", CancellationToken.None);
        }
        await Bot.WaitForIdleAsync();

        var thread = Assert.Single(Channel.Threads);
        Assert.Equal(1, thread.Root.UpdateCount);
        Assert.Contains("Answered", Text(thread.Root.Card), StringComparison.Ordinal);
        Assert.Contains("Yes, this is expected", Text(thread.Root.Card), StringComparison.Ordinal);
        Assert.Equal([SocThreadCards.ReaskVerb], Verbs(thread.Root.Card));
        Assert.Contains(thread.Replies, r => ((string?)r.Activity["text"])?.Contains("answered", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task Expiry_UpdatesTheRootCard()
    {
        var (_, question) = await AskAsync();

        _clock.Advance(TimeSpan.FromDays(1));
        await Bot.WaitForAsync(async db => (await db.Questions.FindAsync(question.Id))!.State == QuestionState.Expired, "expiry");
        await Bot.WaitForIdleAsync();

        var root = Assert.Single(Channel.Threads).Root;
        Assert.Equal(1, root.UpdateCount);
        Assert.Contains("No response", Text(root.Card), StringComparison.Ordinal);
        Assert.Equal([SocThreadCards.ReaskVerb], Verbs(root.Card));
    }

    [Fact]
    public async Task SocMember_CancelsFromTheCard_ThenReasks_InTheSameThread()
    {
        var (incident, question) = await AskAsync();
        var rootId = Assert.Single(Channel.Threads).Root.Id;

        var cancelled = await ClickAsync(rootId, SocThreadCards.CancelVerb, Olivia);
        await Bot.WaitForIdleAsync();

        Assert.Equal(200, (int)cancelled["body"]!["statusCode"]!);
        Assert.Equal(QuestionState.Cancelled, (await Bot.QueryAsync(db => db.Questions.SingleAsync(q => q.Id == question.Id))).State);
        var thread = Assert.Single(Channel.Threads);
        Assert.Contains("Cancelled", Text(thread.Root.Card), StringComparison.Ordinal);
        Assert.Equal([SocThreadCards.ReaskVerb], Verbs(thread.Root.Card));
        var timeline = await TimelineAsync(question.IncidentKey);
        Assert.Contains(timeline, t => t.Kind == TimelineKinds.Cancelled && t.Actor.Contains("Olivia Brown", StringComparison.Ordinal));
        Assert.Contains(await Admin.CommentsAsync(incident.Name), c => c.Contains("cancelled", StringComparison.Ordinal) && c.Contains("Olivia", StringComparison.Ordinal));

        var reasked = await ClickAsync(rootId, SocThreadCards.ReaskVerb, Olivia);
        await Bot.WaitForIdleAsync();

        Assert.Equal(200, (int)reasked["body"]!["statusCode"]!);
        var rounds = await Bot.QueryAsync(db => db.Questions.Where(q => q.IncidentKey == question.IncidentKey).OrderBy(q => q.Round).ToListAsync());
        Assert.Equal([QuestionState.Cancelled, QuestionState.Open], rounds.Select(q => q.State));
        thread = Assert.Single(Channel.Threads);
        Assert.Equal(2, thread.Root.UpdateCount);
        Assert.Contains("Waiting for the owner", Text(thread.Root.Card), StringComparison.Ordinal);
        Assert.Equal([SocThreadCards.CancelVerb], Verbs(thread.Root.Card));
        Assert.Equal(rounds[1].Id.ToString("D"), (string?)thread.Root.Card?["actions"]?.AsArray().Single(a => (string?)a?["verb"] == SocThreadCards.CancelVerb)?["data"]?["questionId"]);
        Assert.Contains(thread.Replies, r => ((string?)r.Activity["text"])?.StartsWith("Round 2:", StringComparison.Ordinal) == true);
        Assert.Equal((await TimelineAsync(question.IncidentKey)).Count, thread.Replies.Count);
    }

    [Fact]
    public async Task TeamMemberWhoIsNoSocMember_IsRefused_AndReported()
    {
        var (incident, question) = await AskAsync();
        var rootId = Assert.Single(Channel.Threads).Root.Id;

        var reply = await ClickAsync(rootId, SocThreadCards.CancelVerb, Hans);
        await Bot.WaitForIdleAsync();

        Assert.Equal(403, (int)reply["body"]!["statusCode"]!);
        Assert.Equal(QuestionState.Open, (await Bot.QueryAsync(db => db.Questions.SingleAsync(q => q.Id == question.Id))).State);
        var timeline = await TimelineAsync(question.IncidentKey);
        Assert.Contains(timeline, t => t.Kind == SocThreadTimeline.ActionRejected && t.Message.Contains("Hans Weber", StringComparison.Ordinal));
        Assert.Contains(await Admin.CommentsAsync(incident.Name), c => c.Contains("refused", StringComparison.Ordinal));
        Assert.Contains(Bot.Logs.Entries, e => e.Message.Contains("refused", StringComparison.Ordinal));
        Assert.Equal(0, Assert.Single(Channel.Threads).Root.UpdateCount);
    }

    [Fact]
    public async Task OwnersCardAction_FromAPersonalChat_CannotCancel()
    {
        var (_, question) = await AskAsync();
        using var klaus = new TeamsUser(Emulator, Bot, Klaus);
        Emulator.Teams.BotAppId = LocalDefaults.BotAppId;

        var reply = await klaus.SendAsync(new JsonObject
        {
            ["type"] = "invoke", ["name"] = "adaptiveCard/action",
            ["value"] = new JsonObject { ["action"] = new JsonObject { ["type"] = "Action.Execute", ["verb"] = SocThreadCards.CancelVerb, ["data"] = new JsonObject { ["questionId"] = question.Id.ToString("D") } } },
        });

        Assert.Equal(403, (int)reply["body"]!["statusCode"]!);
        Assert.Equal(QuestionState.Open, (await Bot.QueryAsync(db => db.Questions.SingleAsync(q => q.Id == question.Id))).State);
    }
}
