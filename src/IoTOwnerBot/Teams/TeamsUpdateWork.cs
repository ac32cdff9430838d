using System.Net;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Persistence;
using IoTOwnerBot.Questions;
using Microsoft.EntityFrameworkCore;

namespace IoTOwnerBot.Teams;

/// <summary>Durable work: PUT every Teams card of a question so it shows the question's current state.</summary>
public sealed record TeamsUpdateWork(Guid QuestionId) : IWork
{
    public static string Kind => "teams.update";
}

/// <summary>Updates every sent Teams card of a question to its current state (PUT is idempotent).</summary>
public sealed class TeamsUpdateWorkHandler(BotDbContext db, BotConnectorClient connector, TeamsCards cards, QuestionTimeline timeline, RetryBackoff backoff, TimeProvider time) : IWorkHandler
{
    public async Task<WorkResult> RunAsync(WorkItem item, CancellationToken ct)
    {
        var work = item.ReadPayload<TeamsUpdateWork>();
        var question = await db.Questions.WithOwnersAndDevices().SingleOrDefaultAsync(q => q.Id == work.QuestionId, ct);
        if (question is null) return WorkResult.Done;
        var state = QuestionCards.StateName(question.State);
        var messages = await db.TeamsMessages.Where(m => m.QuestionId == question.Id && m.ActivityId != null).ToListAsync(ct);
        foreach (var message in messages.Where(m => m.ShowsState != state))
        {
            var recipient = question.Recipients.FirstOrDefault(r => string.Equals(r.ObjectId, message.RecipientObjectId, StringComparison.OrdinalIgnoreCase));
            var teamsUserId = await db.TeamsConversations.Where(c => c.UserObjectId == message.RecipientObjectId).Select(c => c.TeamsUserId).FirstOrDefaultAsync(ct);
            var card = cards.Current(question, recipient, teamsUserId, message.CardToken);
            try
            {
                await connector.UpdateAsync(message.ServiceUrl, message.ConversationId, message.ActivityId!, OutgoingActivity.Card(card.Content), ct);
            }
            catch (ConnectorException ex) when (ex.IsTransient)
            {
                return WorkResult.RetryAt(backoff.Next(item.Attempts, ex.RetryAfter), ex.Summary);
            }
            catch (ConnectorException ex) when (ex.Status is HttpStatusCode.NotFound or HttpStatusCode.Forbidden)
            {
                // The chat or message is gone (user removed the app): nothing left to update.
                message.ShowsState = state;
                continue;
            }
            message.ShowsState = state;
            message.UpdatedAt = time.GetUtcNow();
            timeline.Record(question, TeamsTimeline.CardUpdated, QuestionService.Actor,
                $"The Teams card of {recipient?.Display ?? message.RecipientObjectId} now shows: {state}.", time.GetUtcNow());
            await db.SaveChangesAsync(ct);
        }
        await db.SaveChangesAsync(ct);
        return WorkResult.Done;
    }
}
