using IoTOwnerBot.Jobs;
using IoTOwnerBot.Outlook;
using IoTOwnerBot.Questions;
using IoTOwnerBot.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace IoTOwnerBot.Tests.Questions;

/// <summary>Issue 6: reminders, escalation and expiry at the configured times and not before, with a fake clock.</summary>
public sealed class LifecycleTests : IntegrationTest
{
    private const string Klaus = "klaus.schmidt@contoso.example";
    private const string Hans = "hans.weber@contoso.example"; // Klaus's manager in the emulator's directory

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private OutlookClient Outlook { get; set; } = null!;

    protected override TimeProvider? Clock => _clock;

    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["Lifecycle:ReminderInterval"] = "01:00:00";
        settings["Lifecycle:MaxReminders"] = "2";
        settings["Lifecycle:EscalateAfter"] = "02:30:00";
        settings["Lifecycle:ExpireAfter"] = "04:00:00";
        settings["Delivery:Mode"] = "EmailOnly";
    }

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

    [Fact]
    public async Task Reminders_Escalation_AndExpiry_HappenAtTheConfiguredTimes_AndNotBefore()
    {
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming);
        using (await PostIncidentAsync(incident.TriggerPayload)) { }
        var question = await QuestionForAsync(incident.ArmId);
        await SettleAsync();
        Assert.Single(await Outlook.InboxAsync(Klaus));

        await AdvanceToAsync(TimeSpan.FromMinutes(59));
        Assert.Single(await Outlook.InboxAsync(Klaus));

        await AdvanceToAsync(TimeSpan.FromHours(1));
        var inbox = await Outlook.InboxAsync(Klaus);
        Assert.Equal(2, inbox.Count);
        Assert.StartsWith("Erinnerung:", inbox[^1].Subject, StringComparison.Ordinal); // Klaus reads German

        await AdvanceToAsync(TimeSpan.FromHours(2));
        Assert.Equal(3, (await Outlook.InboxAsync(Klaus)).Count);
        Assert.Empty(await Outlook.InboxAsync(Hans));

        await AdvanceToAsync(TimeSpan.FromHours(2.5));
        Assert.Single(await Outlook.InboxAsync(Hans));
        Assert.Equal(3, (await Outlook.InboxAsync(Klaus)).Count);

        await AdvanceToAsync(TimeSpan.FromHours(3.99));
        Assert.Equal(QuestionState.Open, (await StateAsync(question.Id)));

        await AdvanceToAsync(TimeSpan.FromHours(4));
        Assert.Equal(QuestionState.Expired, (await StateAsync(question.Id)));

        var comments = await Admin.CommentsAsync(incident.Name);
        CommentAssert.OneIntroAndNoDuplicates(comments);
        Assert.Equal(2, comments.Count(c => c.StartsWith("Nobody has answered yet: reminded", StringComparison.Ordinal)));
        Assert.Single(comments, c => c.Contains("escalated to Hans Weber", StringComparison.Ordinal) && c.Contains("manager of Klaus Schmidt", StringComparison.Ordinal));
        Assert.Single(comments, c => c.Contains("never closes an incident on silence", StringComparison.Ordinal));
        // No reminder after the end: the timeline is in order.
        var timeline = (await QuestionForAsync(incident.ArmId)).Timeline.OrderBy(t => t.Id).Select(t => t.Kind).ToList();
        Assert.True(timeline.LastIndexOf(TimelineKinds.Reminded) < timeline.IndexOf(TimelineKinds.Escalated));
        Assert.True(timeline.IndexOf(TimelineKinds.Escalated) < timeline.IndexOf(TimelineKinds.Expired));
    }

    [Fact]
    public async Task EscalatedManager_MayAnswer_AndTheAnswerStopsLaterReminders()
    {
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming);
        using (await PostIncidentAsync(incident.TriggerPayload)) { }
        var question = await QuestionForAsync(incident.ArmId);
        await SettleAsync();

        await AdvanceToAsync(TimeSpan.FromHours(2.5));
        var click = await Outlook.ClickAsync(Hans, 1, Hans);
        await SettleAsync();

        Assert.Equal(200, click.Status);
        Assert.Equal(QuestionState.Answered, await StateAsync(question.Id));
        await AdvanceToAsync(TimeSpan.FromHours(4));
        Assert.Equal(QuestionState.Answered, await StateAsync(question.Id));
        Assert.Equal(3, (await Outlook.InboxAsync(Klaus)).Count);
        var comments = await Admin.CommentsAsync(incident.Name);
        Assert.Single(comments, c => c.StartsWith("Device owner Hans Weber", StringComparison.Ordinal));
        Assert.DoesNotContain(comments, c => c.Contains("never closes an incident on silence", StringComparison.Ordinal));
    }

    private TimeSpan _elapsed;

    /// <summary>Moves the fake clock to <paramref name="at"/> after the question was asked, then lets due work finish.</summary>
    private async Task AdvanceToAsync(TimeSpan at)
    {
        _clock.Advance(at - _elapsed);
        _elapsed = at;
        await SettleAsync();
    }

    /// <summary>Lets due work finish, following e-mails put off to their slot in the sender's budget (seconds).</summary>
    private async Task SettleAsync()
    {
        await Bot.SettleAsync(_clock);
        await Bot.WaitForIdleAsync();
        await Bot.WaitForAsync(db => db.WorkItems.AllAsync(w => w.Status != WorkStatus.Pending || w.Attempts == 0), "no retries pending");
    }

    private Task<QuestionState> StateAsync(Guid id) => Bot.QueryAsync(db => db.Questions.Where(q => q.Id == id).Select(q => q.State).SingleAsync());
}
