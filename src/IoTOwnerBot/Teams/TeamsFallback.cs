using IoTOwnerBot.Digests;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Persistence;
using IoTOwnerBot.Questions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Teams;

/// <summary>
/// Asks one owner in Teams, from anywhere: the fallback work, and e-mail (as <see cref="IFallbackDelivery"/>) when it fails for
/// good (call <see cref="AskInTeamsAsync"/> before saving). Adds durable <c>teams.send</c> work and a timeline entry
/// to the caller's unit of work; asking the same owner twice is one send.
/// </summary>
public sealed class TeamsFallback(BotDbContext db, QuestionTimeline timeline, IOptionsMonitor<DeliveryOptions> delivery,
    IOptionsMonitor<DigestOptions> digests, TimeProvider time) : IFallbackDelivery
{
    Task<bool> IFallbackDelivery.AskAsync(Question question, Recipient recipient, string reason, CancellationToken ct) =>
        AskInTeamsAsync(question, recipient, reason, ct);

    /// <summary>False when Teams is not used (EmailOnly) or this owner is already being asked there.</summary>
    public async Task<bool> AskInTeamsAsync(Question question, Recipient recipient, string reason, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(recipient);
        if (!delivery.CurrentValue.UsesTeams || !question.IsOpen) return false;
        if (recipient.ObjectId is { } oid)
        {
            var key = TeamsSendWork.Key(question.Id, oid);
            if (await db.WorkItems.AnyAsync(w => w.DedupeKey == key, ct) || db.WorkItems.Local.Any(w => w.DedupeKey == key)) return false;
        }
        var now = time.GetUtcNow();
        Enqueue(db, timeline, question, recipient, reason, now, now + Delay(digests.CurrentValue));
        return true;
    }

    /// <summary>With digests on, a Teams send waits the storm window so the owner's other questions can join it.</summary>
    internal static TimeSpan Delay(DigestOptions digests) => digests.Enabled ? digests.Window : TimeSpan.Zero;

    internal static void Enqueue(BotDbContext db, QuestionTimeline timeline, Question question, Recipient recipient, string reason, DateTimeOffset now, DateTimeOffset due)
    {
        if (recipient.ObjectId is not { } oid)
        {
            timeline.Record(question, TeamsTimeline.Failed, QuestionService.Actor,
                $"{recipient.Display} cannot be asked in Teams ({reason}): the directory does not know them.", now);
            return;
        }
        db.Enqueue(TeamsSendWork.Key(question.Id, oid), new TeamsSendWork(question.Id, oid, reason), due, question.Id);
        timeline.Record(question, TeamsTimeline.Planned, QuestionService.Actor, $"{recipient.Display} will be asked in Teams: {reason}.", now);
    }
}
