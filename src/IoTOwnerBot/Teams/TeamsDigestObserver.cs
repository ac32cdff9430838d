using IoTOwnerBot.Jobs;
using IoTOwnerBot.Persistence;
using IoTOwnerBot.Questions;
using Microsoft.EntityFrameworkCore;

namespace IoTOwnerBot.Teams;

/// <summary>When a question of a posted Teams digest is decided, the digest card is updated for every view.</summary>
internal sealed class TeamsDigestObserver(BotDbContext db) : IQuestionObserver
{
    public async Task DecidedAsync(Question question, DateTimeOffset now, CancellationToken ct)
    {
        var digests = await db.DeliveryClaims.Where(c => c.QuestionId == question.Id && c.Channel == TeamsExtensions.Channel && c.DigestId != null)
            .Select(c => c.DigestId!.Value).ToListAsync(ct);
        foreach (var id in digests)
            db.Enqueue($"{TeamsDigestUpdateWork.Kind}:{id:D}:{question.Id:D}:{question.State}", new TeamsDigestUpdateWork(id), now, question.Id);
    }
}
