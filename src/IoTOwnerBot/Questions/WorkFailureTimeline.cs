using IoTOwnerBot.Jobs;
using IoTOwnerBot.Persistence;
using Microsoft.EntityFrameworkCore;

namespace IoTOwnerBot.Questions;

/// <summary>
/// Puts a work item that failed for good on its question's timeline (so the SOC API shows it): <c>work.failed</c>, which
/// is a comment on the incident too, so the SOC learns what did not happen where it looks; or, when the failed work was
/// itself an incident comment, <c>comment.failed</c>, which is not (a comment that Sentinel refused for good is not
/// retried as another comment that would be refused the same way).
/// </summary>
internal sealed class WorkFailureTimeline(BotDbContext db, QuestionTimeline timeline) : IWorkFailureObserver
{
    private const int MaxReasonLength = 500;

    public async Task FailedAsync(WorkItem item, string reason, DateTimeOffset at, CancellationToken ct)
    {
        if (item.QuestionId is not { } id) return;
        var question = await db.Questions.SingleOrDefaultAsync(q => q.Id == id, ct);
        if (question is null) return;
        var why = reason.Length <= MaxReasonLength ? reason : reason[..MaxReasonLength] + " …";
        var message = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"IoTOwnerBot gave up on '{item.Kind}' after {item.Attempts} attempt(s): {why}. It will not be tried again; the SOC must see to it.");
        var kind = item.Kind == CommentWork.Kind ? TimelineKinds.CommentFailed : TimelineKinds.WorkFailed;
        timeline.Record(question, kind, QuestionService.Actor, message, at);
        await db.SaveChangesAsync(ct);
    }
}
