using IoTOwnerBot.Jobs;
using IoTOwnerBot.Persistence;
using Microsoft.EntityFrameworkCore;

namespace IoTOwnerBot.Questions;

/// <summary>Durable work: reminder number <see cref="Number"/> of a question, due at its time; a no-op once decided.</summary>
public sealed record RemindWork(Guid QuestionId, int Number) : IWork
{
    public static string Kind => "question.remind";
}

/// <summary>Reminds the owners of a still-open question in every channel they were asked in, and says so on the incident.</summary>
internal sealed partial class RemindWorkHandler(
    BotDbContext db,
    QuestionTimeline timeline,
    IEnumerable<IQuestionDelivery> deliveries,
    TimeProvider time,
    WorkSignal signal,
    ILogger<RemindWorkHandler> logger) : IWorkHandler
{
    public async Task<WorkResult> RunAsync(WorkItem item, CancellationToken ct)
    {
        var work = item.ReadPayload<RemindWork>();
        var question = await db.Questions.WithOwnersAndDevices().SingleOrDefaultAsync(q => q.Id == work.QuestionId, ct);
        if (question is null || !question.IsOpen) return WorkResult.Done;
        // A re-run after a crash finds its own timeline event: the reminder was planned already.
        var marker = $"(reminder {work.Number})";
        if (await db.Timeline.AnyAsync(t => t.QuestionId == question.Id && t.Kind == TimelineKinds.Reminded && t.Message.EndsWith(marker), ct))
            return WorkResult.Done;

        var now = time.GetUtcNow();
        foreach (var delivery in deliveries) await delivery.RemindAsync(question, work.Number, now, ct);
        timeline.Record(question, TimelineKinds.Reminded, QuestionService.Actor,
            $"Nobody has answered yet: reminded {string.Join(", ", question.Recipients.Select(r => r.Display))} {marker}", now);
        await db.SaveChangesAsync(ct);
        signal.Notify();
        Log.Reminded(logger, question.Id, work.Number);
        return WorkResult.Done;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1911, Level = LogLevel.Information, Message = "Question {QuestionId}: reminder {Number} planned")]
        public static partial void Reminded(ILogger logger, Guid questionId, int number);
    }
}
