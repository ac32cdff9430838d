using IoTOwnerBot.Jobs;
using IoTOwnerBot.Persistence;
using IoTOwnerBot.Sentinel;

namespace IoTOwnerBot.Questions;

/// <summary>
/// Owns a question's timeline: every event is appended here, in the caller's unit of work. An event of a kind the SOC
/// should see on the incident (<see cref="TimelinePolicy"/>) is mirrored as a Sentinel comment through durable work
/// whose comment id is fixed when the event is recorded, so retries never duplicate it; every
/// <see cref="ITimelineObserver"/> (the SOC thread) adds its work to the same unit of work. Its own service, so that
/// the channels (which record what they did) and <see cref="QuestionService"/> (which asks the channels) both take it.
/// </summary>
public sealed class QuestionTimeline(BotDbContext db, IEnumerable<ITimelineObserver> observers)
{
    /// <summary>A question's comments (and the incident update, which comments too) are posted one at a time, in order.</summary>
    public static string CommentLane(Guid questionId) => $"comments:{questionId:N}";

    /// <summary>
    /// Appends an event; when its kind is mirrored (<see cref="TimelinePolicy"/>), also the durable work that posts it as
    /// an incident comment.
    /// </summary>
    /// <param name="commentId">
    /// For a mirrored event that stands for one external fact (an e-mail delivery), the comment id fixed by that fact:
    /// two workers that record the same fact at once then enqueue the same comment work, the unique work key refuses the
    /// second save, and the incident gets the comment once.
    /// </param>
    public TimelineEvent Record(Question question, string kind, string actor, string message, DateTimeOffset at, Guid? commentId = null)
    {
        var mirror = TimelinePolicy.IsMirrored(kind);
        var ev = new TimelineEvent
        {
            QuestionId = question.Id, At = at, Kind = kind, Actor = actor, Message = message,
            CommentId = mirror ? commentId ?? Guid.NewGuid() : null,
        };
        question.Timeline.Add(ev);
        if (mirror)
        {
            var incident = new IncidentRef(question.SubscriptionId, question.ResourceGroup, question.WorkspaceName, question.IncidentName);
            db.Enqueue($"comment:{ev.CommentId:D}", new CommentWork(incident.ArmId, ev.CommentId!.Value, message), at, question.Id,
                CommentLane(question.Id));
        }
        foreach (var observer in observers) observer.Recorded(question, ev);
        return ev;
    }
}
