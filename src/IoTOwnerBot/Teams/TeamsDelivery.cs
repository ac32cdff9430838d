using IoTOwnerBot.Digests;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Persistence;
using IoTOwnerBot.Questions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Teams;

/// <summary>
/// The fallback policy at question creation (Delivery:Mode): Teams at once for owners without a mailbox or in
/// TeamsOnly mode; otherwise a durable <c>teams.fallback</c> due after Delivery:TeamsAfter, which asks in Teams only
/// if the question is still open then. Planned in the question's own unit of work.
/// </summary>
internal sealed class TeamsDelivery(BotDbContext db, TeamsCards cards, IOptionsMonitor<DeliveryOptions> delivery, IOptionsMonitor<DigestOptions> digests,
    QuestionTimeline timeline) : IQuestionDelivery
{
    public void Plan(Question question, DateTimeOffset now) =>
        PlanFor(question, question.Recipients, now);

    /// <summary>A reminder in each chat the question card was sent to.</summary>
    public async Task RemindAsync(Question question, int reminder, DateTimeOffset now, CancellationToken ct)
    {
        if (!delivery.CurrentValue.UsesTeams) return;
        var chats = await db.TeamsMessages.Where(m => m.QuestionId == question.Id && m.ActivityId != null)
            .Join(db.TeamsConversations, m => m.RecipientObjectId, c => c.UserObjectId, (m, c) => new { c.ServiceUrl, c.ConversationId, m.RecipientObjectId })
            .ToListAsync(ct);
        var number = question.IncidentNumber?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? question.IncidentName;
        foreach (var chat in chats.DistinctBy(c => c.ConversationId))
            db.Enqueue($"{TeamsReplyWork.Kind}:{question.Id:D}:{chat.RecipientObjectId}:reminder-{reminder}",
                new TeamsReplyWork(chat.ServiceUrl, chat.ConversationId,
                    $"Reminder: incident {number} still needs your answer. Please use the Yes / No buttons on the card above."), now, question.Id);
    }

    public void PlanFor(Question question, IReadOnlyList<Recipient> recipients, DateTimeOffset now)
    {
        var options = delivery.CurrentValue;
        if (!options.UsesTeams) return;
        if (question.CardVersions.Count == 0) question.CardVersions = cards.CurrentVersions();
        foreach (var recipient in recipients.DistinctBy(r => r.ObjectId ?? r.Address.ToLowerInvariant()))
        {
            var due = now + TeamsFallback.Delay(digests.CurrentValue);
            if (options.Mode == DeliveryMode.TeamsOnly)
                TeamsFallback.Enqueue(db, timeline, question, recipient, "Delivery:Mode is TeamsOnly", now, due);
            else if (recipient.Mail is not { Length: > 0 })
                TeamsFallback.Enqueue(db, timeline, question, recipient, "they have no mailbox", now, due);
            else if (recipient.ObjectId is { } objectId)
            {
                db.Enqueue(TeamsFallbackWork.Key(question.Id, objectId),
                    new TeamsFallbackWork(question.Id, objectId), now + options.TeamsAfter, question.Id);
                timeline.Record(question, TeamsTimeline.FallbackScheduled, QuestionService.Actor,
                    $"{recipient.Display} will be asked in Teams if nobody has answered by {now + options.TeamsAfter:yyyy-MM-dd HH:mm:ss} UTC.", now);
            }
        }
    }
}
