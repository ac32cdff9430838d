using IoTOwnerBot.Jobs;
using IoTOwnerBot.Persistence;
using IoTOwnerBot.Questions;
using Microsoft.EntityFrameworkCore;

namespace IoTOwnerBot.Teams;

/// <summary>When a question is decided (answered in any channel, expired, cancelled), every Teams card of it shows the outcome.</summary>
internal sealed class TeamsCardsObserver(BotDbContext db) : IQuestionObserver
{
    public async Task DecidedAsync(Question question, DateTimeOffset now, CancellationToken ct)
    {
        if (await db.TeamsMessages.AnyAsync(m => m.QuestionId == question.Id, ct))
            db.Enqueue($"{TeamsUpdateWork.Kind}:{question.Id:D}:{question.State}", new TeamsUpdateWork(question.Id), now, question.Id);
    }
}
