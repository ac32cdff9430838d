using System.Globalization;
using System.Text.Json.Nodes;
using IoTOwnerBot.Cards;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Persistence;
using IoTOwnerBot.Questions;
using IoTOwnerBot.Teams;
using Microsoft.EntityFrameworkCore;
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

/// <summary>The SOC thread's root card for an incident's latest round.</summary>
public sealed class SocThreadCards(CardComposer composer)
{
    public const string CancelVerb = "iotownerbot.soc.cancel";
    public const string ReaskVerb = "iotownerbot.soc.reask";

    /// <summary>The incident's latest round, with what its card shows.</summary>
    public static Task<Question?> LatestAsync(BotDbContext db, string incidentKey, CancellationToken ct) =>
        db.Questions.AsNoTracking().Whole()
            .Where(q => q.IncidentKey == incidentKey).OrderByDescending(q => q.Round).FirstOrDefaultAsync(ct);

    /// <summary>What a root card shows, stored to skip needless updates: question and state.</summary>
    public static string Signature(Question q) => $"{q.Id:N}:{QuestionCards.StateName(q.State)}";

    /// <summary>
    /// The root card, with a hidden text block carrying the incident's thread marker, so a creation whose answer was lost
    /// can be found in the channel (<see cref="SocChannelReader"/>).
    /// </summary>
    public JsonObject Root(Question q)
    {
        var card = Compose(q).Content;
        if (card["body"] is not JsonArray body) card["body"] = body = [];
        body.Add(new JsonObject
        {
            ["type"] = "TextBlock",
            ["id"] = "iotownerbot-thread",
            ["text"] = SocChannelReader.ThreadMarker(q.IncidentKey),
            ["isVisible"] = false,
        });
        return card;
    }

    private RenderedCard Compose(Question q)
    {
        var model = QuestionCards.Model(q, null) with
        {
            ExpiresAt = q.IsOpen ? q.ExpiresAt : null,
            Outcome = QuestionCards.Outcome(q),
            Owners = [.. q.Recipients.Select(r => new CardOwner(r.Display, OwnerStatus(q, r)))],
            Timeline = [.. q.Timeline.OrderBy(t => t.At).ThenBy(t => t.Id).Select(t => new CardTimelineEntry(t.At, t.Message))],
            Round = q.Round,
            SocActions = new CardSocActions(
                Cancel: q.IsOpen,
                Reask: q.IsDecided && q.Recipients.Count > 0),
        };
        return composer.Compose(CardKind.SocThread, CardChannel.Teams, model);
    }

    private static string OwnerStatus(Question q, Recipient r) => q.State switch
    {
        QuestionState.Open or QuestionState.NoOwner => "pending",
        QuestionState.Expired => "expired",
        QuestionState.Answered when q.AnsweredForRecipientId == r.Id => "answered",
        _ => "cancelled",
    };
}

/// <summary>Work that brings an incident's SOC thread root up to date (creating the thread first if need be).</summary>
public interface ISocRootWork : IWork
{
    string IncidentKey { get; }
}

/// <summary>Durable work: create the incident's SOC thread (once per incident) and show the current round on its root.</summary>
public sealed record SocThreadWork(string IncidentKey) : ISocRootWork
{
    public static string Kind => "soc.thread";
    public static string Key(string incidentKey) => $"{Kind}:{incidentKey}";
}

/// <summary>Durable work: the root card shows the incident's current round and state (PUT; idempotent).</summary>
public sealed record SocRootUpdateWork(string IncidentKey) : ISocRootWork
{
    public static string Kind => "soc.root-update";
    public static string Key(Guid questionId, QuestionState state) => $"{Kind}:{questionId:D}:{QuestionCards.StateName(state)}";
}

/// <summary>Durable work: one timeline event as a reply in the incident's SOC thread, posted at most once.</summary>
public sealed record SocReplyWork(Guid ReplyId, string IncidentKey, Guid QuestionId, string Text) : IWork
{
    public static string Kind => "soc.reply";
    public static string Key(Guid replyId) => $"{Kind}:{replyId:D}";
}
