using System.Globalization;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Persistence;
using IoTOwnerBot.Questions;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.SocChannel;

/// <summary>
/// The SOC channel thread (optional, <c>SocThread:Enabled</c>): one thread per incident in the SOC's Teams channel.
/// Its root card shows the incident, devices, owners and the current round's state (with Cancel / Re-ask buttons),
/// and is updated on every state change; every timeline event is a reply. All of it is durable work planned in the
/// unit of work that records the event or the change: <c>soc.thread</c> (create the thread, once per incident),
/// <c>soc.reply</c> (one per event, keyed by an id fixed when the event is recorded) and <c>soc.root-update</c>
/// (one per question and state).
/// </summary>
internal sealed class SocThreadPlanner(BotDbContext db, IOptionsMonitor<SocThreadOptions> options) : ITimelineObserver, IQuestionObserver
{
    public void Recorded(Question question, TimelineEvent ev)
    {
        if (!options.CurrentValue.Enabled) return;
        if (ev.Kind == TimelineKinds.Created)
            db.Enqueue(SocThreadWork.Key(question.IncidentKey), new SocThreadWork(question.IncidentKey), ev.At, question.Id);
        if (ev.Kind == TimelineKinds.Reasked)
            EnqueueRootUpdate(question, ev.At);

        var replyId = Guid.NewGuid();
        var text = ev.Actor == QuestionService.Actor ? ev.Message : $"{ev.Message} ({ev.Actor})";
        if (question.Round > 1) text = $"Round {question.Round.ToString(CultureInfo.InvariantCulture)}: {text}";
        db.Enqueue(SocReplyWork.Key(replyId), new SocReplyWork(replyId, question.IncidentKey, question.Id, text), ev.At, question.Id);
    }

    public Task DecidedAsync(Question question, DateTimeOffset now, CancellationToken ct)
    {
        if (options.CurrentValue.Enabled) EnqueueRootUpdate(question, now);
        return Task.CompletedTask;
    }

    private void EnqueueRootUpdate(Question question, DateTimeOffset now)
    {
        var key = SocRootUpdateWork.Key(question.Id, question.State);
        if (db.WorkItems.Local.Any(w => w.DedupeKey == key)) return;
        db.Enqueue(key, new SocRootUpdateWork(question.IncidentKey), now, question.Id);
    }
}
