using System.Net;
using IoTOwnerBot.Incidents;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Outlook;
using IoTOwnerBot.Questions;
using IoTOwnerBot.Teams;
using IoTOwnerBot.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IoTOwnerBot.Tests.Jobs;

/// <summary>
/// Side effects whose outcome the service cannot know: the provider acted, then the answer was lost (a 5xx, a dropped
/// connection, a graceful stop during the call). Each happens once: an e-mail, a Teams card, the incident's comment text.
/// </summary>
public sealed class UncertainEffectTests : IntegrationTest
{
    private const string Klaus = "klaus.schmidt@contoso.example";
    // rtu-dnp3-command is owned by Emily Johnson (mailbox) and David Miller (no mailbox: Teams only).
    private const string David = "david.miller@contoso.example";
    private const string TeamsOnlySample = "rtu-dnp3-command";

    protected override void Configure(Dictionary<string, string?> settings) => settings["Bot:UncertainPostRecheckDelay"] = "00:00:00.200";

    // ---------- E-mail ----------

    [Fact]
    public async Task GracefulStop_WhileSendMailIsInFlight_ThenRestart_SendsOneEmail()
    {
        // Graph takes the mail at once but answers only after 60 s: the service stops while it waits.
        await Admin.FaultAsync("/sendMail", status: null, times: 1, method: "POST", delayMs: 60_000, actFirst: true);
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming);
        using (var response = await PostIncidentAsync(incident.TriggerPayload)) Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await EventuallyAsync(() => Emulator.Outlook.MessagesFor(Klaus).Count == 1, "the e-mail to reach Klaus");

        await RestartBotAsync();
        await WaitForAsync(OutlookSendWork.Kind);

        Assert.Single(Emulator.Outlook.MessagesFor(Klaus));
        Assert.Single(await Admin.RequestsAsync("/sendMail"));
        Assert.NotEmpty(await Admin.RequestsAsync("mailFolders/sentitems"));
        Assert.Equal(1, await Bot.QueryAsync(db => db.Timeline.CountAsync(t => t.Kind == OutlookTimeline.DeliverySent)));
    }

    [Theory]
    [InlineData(503, false)]
    [InlineData(null, true)]
    public async Task SendMailActsThenFails_SendsOneEmail(int? status, bool drop)
    {
        await Admin.FaultAsync("/sendMail", status, times: 1, method: "POST", actFirst: true, drop: drop);
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming);
        using (var response = await PostIncidentAsync(incident.TriggerPayload)) Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        await WaitForAsync(OutlookSendWork.Kind);
        // The "e-mailed" comment is its own work item, queued when the send is found in Sent Items.
        await Bot.WaitForIdleAsync();

        Assert.Single(Emulator.Outlook.MessagesFor(Klaus));
        Assert.Single(await Admin.RequestsAsync("/sendMail"));
        Assert.NotEmpty(await Admin.RequestsAsync("mailFolders/sentitems"));
        Assert.Single(await Admin.CommentsAsync(incident.Name), c => c.Contains("e-mailed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DigestSendMailActsThenFails_SendsOneDigest()
    {
        await RestartBotAsync(s => s["Digest:Window"] = "00:00:01");
        await Admin.FaultAsync("/sendMail", 502, times: 1, method: "POST", actFirst: true);
        var incidents = new[] { await Admin.RaiseAsync(Samples.PlcProgramming), await Admin.RaiseAsync(Samples.PlcProgramming) };
        foreach (var incident in incidents)
            using (var response = await PostIncidentAsync(incident.TriggerPayload)) Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        await Bot.WaitForAsync(db => db.WorkItems.AnyAsync(w => w.Kind == OutlookDigestWork.Kind), "the digest to be planned");
        await WaitForAsync(OutlookDigestWork.Kind);

        var mail = Assert.Single(Emulator.Outlook.MessagesFor(Klaus));
        Assert.Contains("2", mail.Subject, StringComparison.Ordinal);
        Assert.Single(await Admin.RequestsAsync("/sendMail"));
        Assert.Equal(2, await Bot.QueryAsync(db => db.Timeline.CountAsync(t => t.Kind == OutlookTimeline.DeliverySentInDigest)));
    }

    // ---------- Teams ----------

    [Theory]
    [InlineData(502, false)]
    [InlineData(503, false)]
    [InlineData(null, true)]
    public async Task TeamsPostActsThenFails_PostsOneCard_FoundInTheChat(int? status, bool drop)
    {
        var retries = new System.Collections.Concurrent.ConcurrentQueue<(DateTimeOffset Now, DateTimeOffset At)>();
        Bot.Dispatcher.Attempted += (item, result) =>
        {
            if (item.Kind == TeamsSendWork.Kind && result is WorkResult.RetryResult retry) retries.Enqueue((DateTimeOffset.UtcNow, retry.At));
        };
        await Admin.FaultAsync("/activities", status, times: 1, method: "POST", actFirst: true, drop: drop);
        var incident = await Admin.RaiseAsync(TeamsOnlySample);
        using (var response = await PostIncidentAsync(incident.TriggerPayload)) Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        await WaitForAsync(TeamsSendWork.Kind);

        // The failed post is tried again on the jittered backoff (Jobs:MaxRetryDelay is 1 s here), not after a fixed delay.
        Assert.NotEmpty(retries);
        Assert.All(retries, r => Assert.True(r.At - r.Now <= TimeSpan.FromSeconds(2), $"retry scheduled {r.At - r.Now} ahead"));

        var card = Assert.Single(Emulator.Teams.ChatOf(David)!.Messages);
        Assert.Single(await Admin.RequestsAsync("/activities"));
        Assert.NotEmpty(await Admin.RequestsAsync("/chats/"));
        var stored = await Bot.QueryAsync(db => db.TeamsMessages.SingleAsync());
        Assert.Equal(card.Id, stored.ActivityId);
        Assert.Single(await TimelineAsync(TeamsTimeline.Sent), t => t.Message.Contains("found in the chat", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GracefulStop_WhileTeamsPostIsInFlight_ThenRestart_PostsOneCard()
    {
        await Admin.FaultAsync("/activities", status: null, times: 1, method: "POST", delayMs: 60_000, actFirst: true);
        var incident = await Admin.RaiseAsync(TeamsOnlySample);
        using (var response = await PostIncidentAsync(incident.TriggerPayload)) Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await EventuallyAsync(() => Emulator.Teams.ChatOf(David)?.Messages.Count == 1, "the card to reach David");

        await RestartBotAsync();
        await WaitForAsync(TeamsSendWork.Kind);

        var card = Assert.Single(Emulator.Teams.ChatOf(David)!.Messages);
        Assert.Equal(card.Id, (await Bot.QueryAsync(db => db.TeamsMessages.SingleAsync())).ActivityId);
    }

    [Fact]
    public async Task TeamsPostActsThenFails_ChatUnreadable_OwnerReachableOnlyInTeams_GetsTheCardAgain()
    {
        await Admin.WithholdRolesAsync("Chat.Read.All");
        await RestartBotAsync();
        await Admin.FaultAsync("/activities", 502, times: 1, method: "POST", actFirst: true);
        var incident = await Admin.RaiseAsync(TeamsOnlySample);
        using (var response = await PostIncidentAsync(incident.TriggerPayload)) Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        await WaitForAsync(TeamsSendWork.Kind);

        // The safer side for an owner Teams is the only way to reach: a possible second copy, never none.
        Assert.Equal(2, Emulator.Teams.ChatOf(David)!.Messages.Count);
        var uncertain = Assert.Single(await TimelineAsync(TeamsTimeline.Uncertain));
        Assert.Contains("sent again", uncertain.Message, StringComparison.Ordinal);
        Assert.Contains("Chat.Read.All", uncertain.Message, StringComparison.Ordinal);
        Assert.NotNull((await Bot.QueryAsync(db => db.TeamsMessages.SingleAsync())).ActivityId);
    }

    // ---------- Incident update text ----------

    [Theory]
    [InlineData("incident", 500, false)]
    [InlineData("comment", null, true)]
    public async Task IncidentWriteActsThenFails_CommentKeepsTheTextDecidedFirst(string write, int? status, bool drop)
    {
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming);
        using (var response = await PostIncidentAsync(incident.TriggerPayload)) Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var question = await QuestionForAsync(incident.ArmId);
        await Admin.FaultAsync(write == "incident" ? $"/incidents/{incident.Name}?" : "/comments/", status, times: 1, method: "PUT", actFirst: true, drop: drop);

        await using (var scope = Bot.Services.CreateAsyncScope())
        {
            var klaus = question.Recipients.Single();
            var answered = await scope.ServiceProvider.GetRequiredService<AnswerService>()
                .AnswerAsync(question.Id, OwnerAnswer.Expected, new Responder(klaus.ObjectId, klaus.UserPrincipalName, Emulator.TenantId, klaus.DisplayName), "Outlook", CancellationToken.None);
            Assert.Equal(AnswerStatus.Recorded, answered.Status);
        }
        await WaitForAsync(IncidentUpdateWork.Kind);

        var decision = Assert.Single(await Admin.CommentsAsync(incident.Name), c => c.Contains("answered", StringComparison.Ordinal));
        Assert.Contains("the incident was closed as BenignPositive/SuspiciousButExpected", decision, StringComparison.Ordinal);
        Assert.DoesNotContain("already reflects", decision, StringComparison.Ordinal);
        // What the SOC API shows (the timeline) says the same as the incident.
        var recorded = Assert.Single(await TimelineAsync(TimelineKinds.IncidentUpdated));
        Assert.Equal(decision, recorded.Message);
        Assert.Equal("Closed", Emulator.Sentinel.FindIncident(incident.Name)!.Properties.Status);
    }

    /// <summary>Until there is work of this kind and none of it is pending any more.</summary>
    private Task WaitForAsync(string kind) => Bot.WaitForAsync(
        async db => await db.WorkItems.AnyAsync(w => w.Kind == kind) && await db.WorkItems.Where(w => w.Kind == kind).AllAsync(w => w.Status != WorkStatus.Pending),
        $"all {kind} work done", TimeSpan.FromSeconds(40));

    private Task<List<TimelineEvent>> TimelineAsync(string kind) => Bot.QueryAsync(db => db.Timeline.Where(t => t.Kind == kind).ToListAsync());

    /// <summary>Until the emulator shows <paramref name="condition"/> (the provider acted), re-checked every 50 ms.</summary>
    private static async Task EventuallyAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"Timed out waiting for {what}");
            await Task.Delay(50);
        }
    }
}
