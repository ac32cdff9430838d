using System.Text.Json.Nodes;

namespace IoTOwnerBot.Chaos;

/// <summary>
/// The device owners of a run: they watch their Outlook inbox (owners with a mailbox) or their Teams chat with the bot
/// (Teams-only owners), and click Yes or No on the card of an incident a while after it arrived, as planned. A click
/// that reaches no running service (killed, restarting) is tried again a moment later, as a person would.
/// </summary>
public sealed class OwnerClicks(EmulatorHost emulator, IReadOnlyList<IncidentPlan> plans, Func<Uri?> anyMessagingEndpoint)
{
    /// <summary>Clicks until every planned click is done or <paramref name="ct"/> ends.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var waiting = plans.Where(p => p.Forwarded).SelectMany(p => p.Clicks.Where(c => !c.Done).Select(c => (Plan: p, Click: c))).ToList();
            foreach (var owner in waiting.GroupBy(w => w.Click.Owner))
            {
                try
                {
                    await ClickForAsync(owner.Key, owner.ToList());
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
                {
                    // the emulator was slow to answer; the owner looks again
                }
            }
            try
            {
                await Task.Delay(500, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public bool AllDone => plans.All(p => p.Clicks.All(c => c.Done));

    /// <summary>The service is quiet: an owner still waiting for a card will not get one in this run.</summary>
    public void StopWaitingForCards()
    {
        foreach (var click in plans.SelectMany(p => p.Clicks).Where(c => !c.Done && c.CardSeenAt is null)) click.Outcome = ClickOutcome.NoCard;
    }

    private async Task ClickForAsync(Owner owner, List<(IncidentPlan Plan, PlannedClick Click)> waiting)
    {
        var cards = owner.HasMailbox ? await InboxCardsAsync(owner) : await TeamsCardsAsync(owner);
        foreach (var (plan, click) in waiting)
        {
            if (cards.FirstOrDefault(c => c.Text.Contains(plan.Marker, StringComparison.Ordinal)) is not { } card) continue;
            click.CardSeenAt ??= DateTime.UtcNow;
            if (DateTime.UtcNow - click.CardSeenAt < click.After) continue;
            Uri? endpoint = null;
            if (!owner.HasMailbox && (endpoint = anyMessagingEndpoint()) is null) continue;
            click.Tries++;
            EmulatorHost.ClickReply reply;
            try
            {
                reply = owner.HasMailbox
                    ? await emulator.ClickOutlookAsync(owner.Address, card.Id, click.Expected ? 0 : 1)
                    : await emulator.ClickTeamsAsync(owner.Address, card.Id, click.Expected ? "yes" : "no", endpoint!);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                click.MayHaveLanded = true;
                continue;
            }
            click.Outcome = Judge(click, reply);
        }
    }

    /// <summary>
    /// 200 from the service: accepted. The emulator refusing the click (the card no longer has that button: it shows
    /// the question's outcome): refused. Anything else (the service down, a 5xx, a 401 while the Bot Framework keys
    /// could not be read): the owner tries again, up to <see cref="MaxTries"/> times.
    /// </summary>
    private static ClickOutcome Judge(PlannedClick click, EmulatorHost.ClickReply reply)
    {
        if (reply.ServiceStatus is 200) return ClickOutcome.Accepted;
        if (reply.ServiceStatus is null && reply.EmulatorStatus == 400) return ClickOutcome.Refused;
        // A 5xx or a dropped connection may come after the service recorded the answer.
        if (reply.ServiceStatus is null or >= 500) click.MayHaveLanded = true;
        return click.Tries >= MaxTries ? ClickOutcome.Refused : ClickOutcome.Waiting;
    }

    private const int MaxTries = 120;

    private sealed record Card(string Id, string Text);

    private async Task<List<Card>> InboxCardsAsync(Owner owner)
    {
        var mailbox = await emulator.MailboxAsync(owner.Address);
        return [.. mailbox["messages"]!.AsArray().OfType<JsonObject>().Select(m => new Card((string)m["id"]!, (string?)m["subject"] ?? ""))];
    }

    private async Task<List<Card>> TeamsCardsAsync(Owner owner)
    {
        if (await emulator.ChatAsync(owner.Address) is not { } chat) return [];
        return [.. chat["messages"]!.AsArray().OfType<JsonObject>()
            .Where(m => m["activity"]?["attachments"] is JsonArray { Count: > 0 })
            .Select(m => new Card((string)m["id"]!, m["activity"]!.ToJsonString()))];
    }
}
