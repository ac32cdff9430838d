using System.Net;
using IoTOwnerBot.Digests;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Persistence;
using Microsoft.EntityFrameworkCore;

namespace IoTOwnerBot.Teams;

/// <summary>Durable work: PUT a digest card so it shows its questions' current states.</summary>
public sealed record TeamsDigestUpdateWork(Guid DigestId) : IWork
{
    public static string Kind => "teams.digest-update";
}

/// <summary>Updates a posted digest card to its questions' current states (PUT is idempotent; unchanged cards are skipped).</summary>
public sealed class TeamsDigestUpdateWorkHandler(BotDbContext db, DigestAnswers digests, BotConnectorClient connector, TeamsCards cards, RetryBackoff backoff) : IWorkHandler
{
    public async Task<WorkResult> RunAsync(WorkItem item, CancellationToken ct)
    {
        var work = item.ReadPayload<TeamsDigestUpdateWork>();
        var view = await digests.LoadAsync(work.DigestId, ct);
        if (view?.Digest is not { ActivityId: { } activityId, ServiceUrl: { } serviceUrl, ConversationId: { } conversationId }) return WorkResult.Done;
        var state = DigestCardModel.StateOf(view);
        if (view.Digest.ShowsState == state) return WorkResult.Done;
        var recipient = view.Recipient;
        var teamsUserId = await db.TeamsConversations.Where(c => c.UserObjectId == view.Digest.RecipientKey).Select(c => c.TeamsUserId).FirstOrDefaultAsync(ct);
        try
        {
            await connector.UpdateAsync(serviceUrl, conversationId, activityId, OutgoingActivity.Card(cards.Digest(view, recipient, teamsUserId).Content), ct);
        }
        catch (ConnectorException ex) when (ex.IsTransient)
        {
            return WorkResult.RetryAt(backoff.Next(item.Attempts, ex.RetryAfter), ex.Summary);
        }
        catch (ConnectorException ex) when (ex.Status is HttpStatusCode.NotFound or HttpStatusCode.Forbidden)
        {
            // The chat or message is gone: nothing left to update.
        }
        await db.Digests.Where(d => d.Id == work.DigestId).ExecuteUpdateAsync(s => s.SetProperty(d => d.ShowsState, state), ct);
        return WorkResult.Done;
    }
}
