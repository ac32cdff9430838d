using IoTOwnerBot.Emulator.Limits;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Local;
using IoTOwnerBot.Outlook;
using IoTOwnerBot.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace IoTOwnerBot.Tests.Outlook;

/// <summary>
/// Every e-mail is planned against Exchange Online's limits per sender mailbox: 30 messages a minute, 10,000 recipients
/// in 24 hours with a reserve for reminders and high-severity questions, a pool used in rotation, a refused mailbox
/// avoided. The emulator keeps Microsoft's time on the same fake clock, so its limits judge the sends the service made.
/// </summary>
public sealed class SenderPoolTests : IntegrationTest
{
    private const string Klaus = "klaus.schmidt@contoso.example";
    private const string Second = "iot-sender-2@contoso.example";
    // Whole milliseconds: what the store keeps.
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
    private string _first = "";
    private Dictionary<string, string?> _extra = [];

    protected override TimeProvider? Clock => _clock;

    protected override bool EmulatorOnServiceClock => true;

    protected override void Configure(Dictionary<string, string?> settings)
    {
        _first = settings["Outlook:SenderMailbox"]!;
        // Each question goes out alone and at once: what is measured is the sender's pacing.
        settings["Digest:Window"] = "00:00:00";
        settings["Delivery:Mode"] = "EmailOnly";
        foreach (var (key, value) in _extra) settings[key] = value;
    }

    private async Task UseSettingsAsync(Dictionary<string, string?> extra)
    {
        _extra = extra;
        await Admin.UpsertUserAsync(new { userPrincipalName = Second, mail = Second, displayName = "IoT owner bot (2)" });
        await RestartBotAsync();
    }

    private async Task<T> WithPoolAsync<T>(Func<SenderPool, Task<T>> use)
    {
        await using var scope = Bot.Services.CreateAsyncScope();
        return await use(scope.ServiceProvider.GetRequiredService<SenderPool>());
    }

    // ---------- planning ----------

    [Fact]
    public async Task OneMailbox_SpacesItsMessages_ThirtyAMinute()
    {
        var now = _clock.GetUtcNow();
        var slots = new List<MailSlot>();
        for (var i = 0; i < 31; i++) slots.Add(await WithPoolAsync(p => p.ReserveAsync(Guid.NewGuid(), 1, priority: false, default)));

        Assert.All(slots, s => Assert.Equal(_first, s.Sender, ignoreCase: true));
        Assert.Equal(now, slots[0].At);
        for (var i = 1; i < slots.Count; i++) Assert.Equal(TimeSpan.FromSeconds(2), slots[i].At - slots[i - 1].At);
        // No minute holds more than 30.
        Assert.Equal(now + TimeSpan.FromMinutes(1), slots[30].At);
    }

    [Fact]
    public async Task TheSameDelivery_KeepsItsSlot()
    {
        var delivery = Guid.NewGuid();
        await WithPoolAsync(p => p.ReserveAsync(Guid.NewGuid(), 1, false, default));
        var first = await WithPoolAsync(p => p.ReserveAsync(delivery, 1, false, default));
        _clock.Advance(TimeSpan.FromSeconds(30));

        var again = await WithPoolAsync(p => p.ReserveAsync(delivery, 1, false, default));

        Assert.Equal(first, again);
        Assert.Equal(2, await Bot.QueryAsync(db => db.MailBookings.CountAsync()));
    }

    [Fact]
    public async Task APool_IsUsedInRotation_EachMailboxAtItsOwnPace()
    {
        await UseSettingsAsync(new() { ["Outlook:SenderMailboxes:0"] = "IoTOwnerBot@contoso.example", ["Outlook:SenderMailboxes:1"] = Second });
        var now = _clock.GetUtcNow();

        var slots = new List<MailSlot>();
        for (var i = 0; i < 6; i++) slots.Add(await WithPoolAsync(p => p.ReserveAsync(Guid.NewGuid(), 1, false, default)));

        Assert.Equal(3, slots.Count(s => s.Sender == Second));
        Assert.Equal(3, slots.Count(s => s.Sender == "iotownerbot@contoso.example"));
        Assert.Equal([now, now, now + TimeSpan.FromSeconds(2), now + TimeSpan.FromSeconds(2), now + TimeSpan.FromSeconds(4), now + TimeSpan.FromSeconds(4)],
            slots.Select(s => s.At));
    }

    [Fact]
    public async Task TheDaysRecipients_OrdinaryMailStopsAtTheReserve_PriorityMailUsesIt_ThenWaitsForTheWindow()
    {
        await UseSettingsAsync(new() { ["Outlook:RecipientsPerDay"] = "10", ["Outlook:ReservedRecipients"] = "3" });
        var start = _clock.GetUtcNow();

        var ordinary = new List<MailSlot>();
        for (var i = 0; i < 7; i++) ordinary.Add(await WithPoolAsync(p => p.ReserveAsync(Guid.NewGuid(), 1, false, default)));
        var urgent = new List<MailSlot>();
        for (var i = 0; i < 3; i++) urgent.Add(await WithPoolAsync(p => p.ReserveAsync(Guid.NewGuid(), 1, true, default)));
        var lateOrdinary = await WithPoolAsync(p => p.ReserveAsync(Guid.NewGuid(), 1, false, default));
        var lateUrgent = await WithPoolAsync(p => p.ReserveAsync(Guid.NewGuid(), 1, true, default));

        // Seven fit the ordinary budget (10 - 3), spaced 2 s apart.
        Assert.Equal(Enumerable.Range(0, 7).Select(i => start + TimeSpan.FromSeconds(2 * i)), ordinary.Select(s => s.At));
        // Priority mail does not queue behind ordinary mail and may use the reserve.
        Assert.Equal([start, start + TimeSpan.FromSeconds(2), start + TimeSpan.FromSeconds(4)], urgent.Select(s => s.At));
        // The day is spent: more mail of either kind waits until enough has left the 24 h window.
        Assert.True(lateOrdinary.At >= start + SenderPool.Day, $"ordinary mail over the budget booked at {lateOrdinary.At:O}");
        Assert.True(lateUrgent.At >= start + SenderPool.Day, $"priority mail over the budget booked at {lateUrgent.At:O}");
        // In no 24 h window (and its margin) do the bookings hold more than the day's 10 recipients.
        var all = await Bot.QueryAsync(db => db.MailBookings.Select(b => b.At).ToListAsync());
        Assert.All(all, end => Assert.True(all.Count(b => b > end - SenderPool.Day - SenderPool.WindowMargin && b <= end) <= 10));
    }

    [Fact]
    public async Task ARefusedMailbox_TakesNoBooking_UntilItIsTriedAgain()
    {
        await UseSettingsAsync(new() { ["Outlook:SenderMailboxes:0"] = "iotownerbot@contoso.example", ["Outlook:SenderMailboxes:1"] = Second });
        var refused = Guid.NewGuid();
        var slot = await WithPoolAsync(p => p.ReserveAsync(refused, 1, false, default));
        await WithPoolAsync(async p =>
        {
            await p.BlockAsync(slot.Sender, refused, _clock.GetUtcNow() + TimeSpan.FromHours(1), "quota", default);
            return 0;
        });

        var again = await WithPoolAsync(p => p.ReserveAsync(refused, 1, false, default));
        var next = await WithPoolAsync(p => p.ReserveAsync(Guid.NewGuid(), 1, false, default));

        Assert.NotEqual(slot.Sender, again.Sender);
        Assert.NotEqual(slot.Sender, next.Sender);
        var budgets = await WithPoolAsync(p => p.BudgetsAsync(default));
        Assert.True(Assert.Single(budgets, b => b.Sender == slot.Sender).Blocked(_clock.GetUtcNow()));
    }

    // ---------- against Exchange's limits ----------

    [Fact]
    public async Task AStormToOneMailbox_IsPacedInsideExchangesLimits_NothingHeldNothingRefused()
    {
        const int storm = 40;
        for (var i = 0; i < storm; i++)
        {
            var incident = await Admin.RaiseAsync(Samples.PlcProgramming);
            using var response = await PostIncidentAsync(incident.TriggerPayload);
            response.EnsureSuccessStatusCode();
        }
        await Bot.WaitForAsync(async db => await db.Questions.CountAsync() == storm, "the questions");
        await Bot.WaitForAsync(db => db.WorkItems.AllAsync(w => w.Kind != OutlookSendWork.Kind || w.Status != WorkStatus.Pending || w.DueAt > _clock.GetUtcNow()), "the first sends");

        // Mid-storm the SOC API says when each waiting e-mail goes out: at its slot, 2 s after the one before.
        var waiting = await Bot.QueryAsync(db => db.WorkItems.Where(w => w.Kind == OutlookSendWork.Kind && w.Status == WorkStatus.Pending)
            .OrderByDescending(w => w.DueAt).Select(w => new { w.QuestionId, w.DueAt }).FirstAsync());
        var view = await SocGetAsync($"api/questions/{waiting.QuestionId}");
        Assert.Equal(waiting.DueAt, (DateTimeOffset)view["recipients"]![0]!["emailDueAt"]!);
        Assert.True(waiting.DueAt >= _clock.GetUtcNow() + TimeSpan.FromSeconds(70), $"the last of {storm} e-mails is due at {waiting.DueAt:O}");

        await FollowTheSendsAsync();

        Assert.Equal(storm, (await new OutlookClient(Emulator).InboxAsync(Klaus)).Count);
        var sent = Assert.Single(Emulator.Outlook.SendingBudgets, b => b.Address.Equals(_first, StringComparison.OrdinalIgnoreCase));
        Assert.Equal(storm, sent.Submitted);
        // The service kept to 30 a minute: Exchange never had to hold a message in the Outbox, nor refuse one.
        Assert.Equal(0, sent.Outbox);
        Assert.Equal(0, sent.Refused);
        Assert.Equal(0, Emulator.Limits.Throttled);
        Assert.DoesNotContain(Emulator.Journal.Requests(), r => r.Status == 429);
        // 40 one-recipient messages at 30 a minute: the last left 78 s after the first.
        var slots = await Bot.QueryAsync(db => db.MailBookings.Select(b => b.At).ToListAsync());
        Assert.InRange(slots.Max() - slots.Min(), TimeSpan.FromSeconds(78), TimeSpan.FromSeconds(79));
    }

    [Fact]
    public async Task AnOwnerWhoseEmailWaitsLongerThanTeamsAfter_IsAskedInTeamsAtOnce_TheEmailKeepsItsSlot()
    {
        await UseSettingsAsync(new() { ["Delivery:Mode"] = "EmailThenTeams", ["Delivery:TeamsAfter"] = "00:01:00" });
        const int storm = 36;
        for (var i = 0; i < storm; i++)
        {
            var incident = await Admin.RaiseAsync(Samples.PlcProgramming);
            using var response = await PostIncidentAsync(incident.TriggerPayload);
            response.EnsureSuccessStatusCode();
        }
        await Bot.WaitForAsync(async db => await db.Questions.CountAsync() == storm, "the questions");
        await Bot.WaitForAsync(db => db.WorkItems.AllAsync(w => w.Kind != OutlookSendWork.Kind || w.Status != WorkStatus.Pending || w.DueAt > _clock.GetUtcNow()), "the first sends");

        // At 30 a minute, the e-mails from the 32nd on wait more than a minute: those owners are asked in Teams now.
        var now = _clock.GetUtcNow();
        var late = await Bot.QueryAsync(db => db.WorkItems
            .Where(w => w.Kind == OutlookSendWork.Kind && w.Status == WorkStatus.Pending && w.DueAt > now + TimeSpan.FromMinutes(1))
            .Select(w => w.QuestionId!.Value).ToListAsync());
        var inTeams = await Bot.QueryAsync(db => db.WorkItems.Where(w => w.Kind == IoTOwnerBot.Teams.TeamsSendWork.Kind)
            .Select(w => new { QuestionId = w.QuestionId!.Value, w.DueAt }).ToListAsync());
        Assert.Equal(storm - 31, late.Count);
        Assert.Equal(late.Order(), inTeams.Select(t => t.QuestionId).Order());
        Assert.All(inTeams, t => Assert.True(t.DueAt <= now, "asked in Teams at once"));
        var timeline = await Bot.QueryAsync(db => db.Timeline.Where(t => t.QuestionId == late[0] && t.Kind == IoTOwnerBot.Teams.TeamsTimeline.Planned).Select(t => t.Message).ToListAsync());
        Assert.Contains(timeline, m => m.Contains("waits for the sending budget", StringComparison.Ordinal));
        // Their e-mails keep their slots: they go out then unless the owner has answered in Teams.
        Assert.Equal(storm, await Bot.QueryAsync(db => db.MailBookings.CountAsync()));
    }

    [Fact]
    public async Task WhenTheBudgetIsShort_AnOwnersWaitingQuestionsGoInOneDigest_InTheEarliestSlot_EachAskedOnce()
    {
        await UseSettingsAsync(new() { ["Digest:AutomaticAfter"] = "00:01:00" });
        const int storm = 40;
        for (var i = 0; i < storm; i++)
        {
            var incident = await Admin.RaiseAsync(Samples.PlcProgramming);
            using var response = await PostIncidentAsync(incident.TriggerPayload);
            response.EnsureSuccessStatusCode();
        }
        await Bot.WaitForAsync(async db => await db.Questions.CountAsync() == storm, "the questions");

        await Bot.SettleAsync(_clock);

        // 40 e-mails at 30 a minute would take 78 s: those that would have waited past a minute went into digests.
        var digests = await Bot.QueryAsync(db => db.Digests.Include(d => d.Items).ToListAsync());
        Assert.NotEmpty(digests);
        Assert.All(digests, d => Assert.NotNull(d.SentAt));
        var claims = await Bot.QueryAsync(db => db.DeliveryClaims.ToListAsync());
        // Every question was asked exactly once: alone, or in exactly one digest.
        Assert.Equal(storm, claims.Select(c => c.QuestionId).Distinct().Count());
        Assert.Equal(storm, claims.Count);
        var alone = claims.Count(c => c.DigestId is null);
        var inbox = await new OutlookClient(Emulator).InboxAsync(Klaus);
        Assert.Equal(alone + digests.Count, inbox.Count);
        Assert.True(inbox.Count < storm, $"{inbox.Count} e-mails for {storm} questions");
        // One booking per message that went out: the slots of gathered e-mails were given back (a digest took one of them).
        Assert.Equal(inbox.Count, await Bot.QueryAsync(db => db.MailBookings.CountAsync()));
        Assert.Equal(0, await Bot.QueryAsync(db => db.WorkItems.CountAsync(w => w.Kind == OutlookSendWork.Kind && w.Status == WorkStatus.Pending)));
        var gathered = await Bot.QueryAsync(db => db.Timeline.CountAsync(t => t.Message.Contains("because the sending budget would make them wait")));
        Assert.Equal(storm - alone, gathered);
    }

    [Fact]
    public async Task ExchangeRefusesTheMailbox_TheMailGoesFromTheOtherOne_NothingLost()
    {
        await UseSettingsAsync(new() { ["Outlook:SenderMailboxes:0"] = "iotownerbot@contoso.example", ["Outlook:SenderMailboxes:1"] = Second });
        // Someone else has spent the first mailbox's day: Exchange refuses it although the service has booked nothing on it.
        Emulator.Limits.Limits = new ProviderLimits { Exchange = new ExchangeLimits { RecipientsPerDay = 1 } };
        for (var i = 0; i < 4; i++)
        {
            var incident = await Admin.RaiseAsync(Samples.PlcProgramming);
            using var response = await PostIncidentAsync(incident.TriggerPayload);
            response.EnsureSuccessStatusCode();
        }
        await Bot.WaitForAsync(async db => await db.Questions.CountAsync() == 4, "the questions");
        await FollowTheSendsAsync(until: TimeSpan.FromHours(3));

        // One each went out at once; Exchange refused the rest (its limit is 1 a day here); they wait, booked, and are not failed.
        var inbox = await new OutlookClient(Emulator).InboxAsync(Klaus);
        var work = await Bot.QueryAsync(db => db.WorkItems.Select(w => w.Kind + " " + w.Status + " " + w.LastError).ToListAsync());
        Assert.True(inbox.Count == 2, string.Join("\n", work));
        var budgets = await WithPoolAsync(p => p.BudgetsAsync(default));
        Assert.All(budgets, b => Assert.NotNull(b.BlockedUntil));
        Assert.DoesNotContain(await Bot.QueryAsync(db => db.WorkItems.Where(w => w.Kind == OutlookSendWork.Kind).Select(w => w.Status).ToListAsync()),
            s => s == WorkStatus.Failed);
        Assert.Equal(2, await Bot.QueryAsync(db => db.WorkItems.CountAsync(w => w.Kind == OutlookSendWork.Kind && w.Status == WorkStatus.Pending)));

        // A day later Exchange lets the mailboxes send again, and the waiting mail goes out, once each.
        await FollowTheSendsAsync(until: TimeSpan.FromHours(26));
        Assert.Equal(4, (await new OutlookClient(Emulator).InboxAsync(Klaus)).Select(m => m.Headers[OutlookMailer.DeliveryHeader]).Distinct().Count());
        Assert.Equal(4, (await new OutlookClient(Emulator).InboxAsync(Klaus)).Count);
    }

    private async Task<System.Text.Json.Nodes.JsonObject> SocGetAsync(string path)
    {
        var token = Emulator.MintToken(new IoTOwnerBot.Emulator.Entra.TokenRequest
        {
            Kind = IoTOwnerBot.Emulator.Entra.TokenKind.User, Audience = IoTOwnerBot.Local.LocalMode.LocalIntakeAudience,
            User = "olivia.brown@contoso.example", Roles = ["IoTOwnerBot.Soc"],
        });
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var response = await Bot.Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    /// <summary>Moves the clock to each waiting send's slot in turn, until none is waiting or <paramref name="until"/> has passed.</summary>
    private async Task FollowTheSendsAsync(TimeSpan? until = null)
    {
        var end = _clock.GetUtcNow() + (until ?? TimeSpan.FromHours(1));
        for (var round = 0; round < 500; round++)
        {
            await Bot.WaitForAsync(db => db.WorkItems.AllAsync(w => w.Status != WorkStatus.Pending || w.DueAt > _clock.GetUtcNow()), "no work due");
            var next = await Bot.QueryAsync(db => db.WorkItems.Where(w => w.Kind == OutlookSendWork.Kind && w.Status == WorkStatus.Pending)
                .Select(w => (DateTimeOffset?)w.DueAt).OrderBy(d => d).FirstOrDefaultAsync());
            if (next is null || next > end) return;
            _clock.Advance(next.Value - _clock.GetUtcNow() + TimeSpan.FromMilliseconds(1));
            Bot.Services.GetRequiredService<WorkSignal>().Notify();
        }
    }
}
