using System.Net;
using IoTOwnerBot.Questions;
using IoTOwnerBot.Teams;
using IoTOwnerBot.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace IoTOwnerBot.Tests.Teams;

/// <summary>
/// The Teams fallback for an owner who has not answered by e-mail within <c>Delivery:TeamsAfter</c>, on a fake clock:
/// the tests assert when the fallback is due and move time there, never wait for it.
/// </summary>
public sealed class TeamsFallbackTests : IntegrationTest
{
    private const string Klaus = "klaus.schmidt@contoso.example"; // owner of the PLC in plc-programming-mode, with a mailbox
    private static readonly TimeSpan TeamsAfter = TimeSpan.FromMinutes(30);

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    protected override TimeProvider? Clock => _clock;

    protected override void Configure(Dictionary<string, string?> settings) =>
        settings["Delivery:TeamsAfter"] = TeamsAfter.ToString();

    private async Task<Question> AskKlausAsync()
    {
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming);
        using (var response = await PostIncidentAsync(incident.TriggerPayload)) Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return await QuestionForAsync(incident.ArmId);
    }

    private Task<Question> ReloadAsync(Guid id) => Bot.QueryAsync(db => db.Questions.AsNoTracking()
        .Include(q => q.Recipients).Include(q => q.Timeline).SingleAsync(q => q.Id == id));

    private async Task PassTeamsAfterAsync()
    {
        _clock.Advance(TeamsAfter);
        Bot.Services.GetRequiredService<IoTOwnerBot.Jobs.WorkSignal>().Notify();
        await Bot.SettleAsync(_clock);
    }

    [Fact]
    public async Task OwnerSilentPastTeamsAfter_GetsTeamsCard_AtTheScheduledTime()
    {
        var question = await AskKlausAsync();
        var fallback = await Bot.QueryAsync(db => db.WorkItems.SingleAsync(w => w.Kind == TeamsFallbackWork.Kind));
        Assert.Equal(question.CreatedAt + TeamsAfter, fallback.DueAt);
        Assert.Null(Emulator.Teams.ChatOf(Klaus));

        _clock.Advance(TeamsAfter - TimeSpan.FromSeconds(1));
        Bot.Services.GetRequiredService<IoTOwnerBot.Jobs.WorkSignal>().Notify();
        await Bot.WaitForIdleAsync();
        Assert.Null(Emulator.Teams.ChatOf(Klaus));

        _clock.Advance(TimeSpan.FromSeconds(1));
        Bot.Services.GetRequiredService<IoTOwnerBot.Jobs.WorkSignal>().Notify();
        await Bot.SettleAsync(_clock);

        var message = Assert.Single(Emulator.Teams.ChatOf(Klaus)!.Messages);
        Assert.Equal(2, message.Card?["actions"]?.AsArray().Count(a => (string?)a?["verb"] == TeamsCards.AnswerVerb));
        var timeline = (await ReloadAsync(question.Id)).Timeline;
        Assert.Contains(timeline, t => t.Kind == TeamsTimeline.Planned && t.Message.Contains("no answer", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OwnerWhoAnsweredBeforeTeamsAfter_IsNotAskedInTeams()
    {
        var question = await AskKlausAsync();
        await using (var scope = Bot.Services.CreateAsyncScope())
        {
            var klaus = question.Recipients.Single();
            var result = await scope.ServiceProvider.GetRequiredService<AnswerService>()
                .AnswerAsync(question.Id, OwnerAnswer.Expected, new Responder(klaus.ObjectId, klaus.UserPrincipalName, Emulator.TenantId, klaus.DisplayName), "Outlook", CancellationToken.None);
            Assert.Equal(AnswerStatus.Recorded, result.Status);
        }

        await PassTeamsAfterAsync();

        Assert.True(await Bot.QueryAsync(db => db.WorkItems.AnyAsync(w => w.Kind == TeamsFallbackWork.Kind && w.Status == IoTOwnerBot.Jobs.WorkStatus.Succeeded)));
        Assert.Null(Emulator.Teams.ChatOf(Klaus));
    }

    [Fact]
    public async Task TeamsPostActsThenFails_ChatUnreadable_OwnerAskedByEmail_IsNotPostedAgain()
    {
        await Admin.WithholdRolesAsync("Chat.Read.All");
        await Admin.FaultAsync("/activities", 502, times: 1, method: "POST", actFirst: true);
        await AskKlausAsync();

        await PassTeamsAfterAsync();

        Assert.Single(Emulator.Outlook.MessagesFor(Klaus));
        Assert.Single(Emulator.Teams.ChatOf(Klaus)!.Messages);
        var uncertain = Assert.Single(await Bot.QueryAsync(db => db.Timeline.Where(t => t.Kind == TeamsTimeline.Uncertain).ToListAsync()));
        Assert.Contains("not sent again", uncertain.Message, StringComparison.Ordinal);
    }
}
