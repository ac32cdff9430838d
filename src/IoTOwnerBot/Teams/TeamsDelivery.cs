using IoTOwnerBot.Digests;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Persistence;
using IoTOwnerBot.Questions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Teams;

public static class TeamsTimeline
{
    public const string Planned = "delivery.teams-planned";
    public const string FallbackScheduled = "delivery.teams-fallback-scheduled";
    public const string AppInstalled = "delivery.teams-app-installed";
    public const string Sent = "delivery.teams-sent";
    public const string Failed = "delivery.teams-failed";
    public const string CardUpdated = "delivery.teams-card-updated";
    public const string Uncertain = "delivery.teams-uncertain";
}

/// <summary>
/// The fallback policy at question creation (Delivery:Mode): Teams at once for owners without a mailbox or in
/// TeamsOnly mode; otherwise a durable <c>teams.fallback</c> due after Delivery:TeamsAfter, which asks in Teams only
/// if the question is still open then. Planned in the question's own unit of work.
/// </summary>
internal sealed class TeamsDelivery(BotDbContext db, TeamsCards cards, IOptionsMonitor<DeliveryOptions> delivery, IOptionsMonitor<DigestOptions> digests) : IQuestionDelivery
{
    public void Plan(Question question, QuestionService questions, DateTimeOffset now) =>
        PlanFor(question, question.Recipients, questions, now);

    /// <summary>A reminder in each chat the question card was sent to.</summary>
    public async Task RemindAsync(Question question, int reminder, QuestionService questions, DateTimeOffset now, CancellationToken ct)
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

    public void PlanFor(Question question, IReadOnlyList<Recipient> recipients, QuestionService questions, DateTimeOffset now)
    {
        var options = delivery.CurrentValue;
        if (!options.UsesTeams) return;
        if (question.CardVersions.Count == 0) question.CardVersions = cards.CurrentVersions();
        foreach (var recipient in recipients.DistinctBy(r => r.ObjectId ?? r.Address.ToLowerInvariant()))
        {
            var due = now + TeamsFallback.Delay(digests.CurrentValue);
            if (options.Mode == DeliveryMode.TeamsOnly)
                TeamsFallback.Enqueue(db, questions, question, recipient, "Delivery:Mode is TeamsOnly", now, due);
            else if (recipient.Mail is not { Length: > 0 })
                TeamsFallback.Enqueue(db, questions, question, recipient, "they have no mailbox", now, due);
            else if (recipient.ObjectId is { } objectId)
            {
                db.Enqueue(TeamsFallbackWork.Key(question.Id, objectId),
                    new TeamsFallbackWork(question.Id, objectId), now + options.TeamsAfter, question.Id);
                questions.Record(question, TeamsTimeline.FallbackScheduled, QuestionService.Actor,
                    $"{recipient.Display} will be asked in Teams if nobody has answered by {now + options.TeamsAfter:yyyy-MM-dd HH:mm:ss} UTC.", mirror: false, now);
            }
        }
    }
}

/// <summary>
/// Asks one owner in Teams, from anywhere: the fallback work, and the Outlook send handler when an e-mail fails for
/// good (call <see cref="AskInTeamsAsync"/> before saving). Adds durable <c>teams.send</c> work and a timeline entry
/// to the caller's unit of work; asking the same owner twice is one send.
/// </summary>
public sealed class TeamsFallback(BotDbContext db, QuestionService questions, IOptionsMonitor<DeliveryOptions> delivery,
    IOptionsMonitor<DigestOptions> digests, TimeProvider time)
{
    /// <summary>False when Teams is not used (EmailOnly) or this owner is already being asked there.</summary>
    public async Task<bool> AskInTeamsAsync(Question question, Recipient recipient, string reason, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(recipient);
        if (!delivery.CurrentValue.UsesTeams || question.State != QuestionState.Open) return false;
        if (recipient.ObjectId is { } oid)
        {
            var key = TeamsSendWork.Key(question.Id, oid);
            if (await db.WorkItems.AnyAsync(w => w.DedupeKey == key, ct) || db.WorkItems.Local.Any(w => w.DedupeKey == key)) return false;
        }
        var now = time.GetUtcNow();
        Enqueue(db, questions, question, recipient, reason, now, now + Delay(digests.CurrentValue));
        return true;
    }

    /// <summary>With digests on, a Teams send waits the storm window so the owner's other questions can join it.</summary>
    internal static TimeSpan Delay(DigestOptions digests) => digests.Enabled ? digests.Window : TimeSpan.Zero;

    internal static void Enqueue(BotDbContext db, QuestionService questions, Question question, Recipient recipient, string reason, DateTimeOffset now, DateTimeOffset due)
    {
        if (recipient.ObjectId is not { } oid)
        {
            questions.Record(question, TeamsTimeline.Failed, QuestionService.Actor,
                $"{recipient.Display} cannot be asked in Teams ({reason}): the directory does not know them.", mirror: true, now);
            return;
        }
        db.Enqueue(TeamsSendWork.Key(question.Id, oid), new TeamsSendWork(question.Id, oid, reason), due, question.Id);
        questions.Record(question, TeamsTimeline.Planned, QuestionService.Actor, $"{recipient.Display} will be asked in Teams: {reason}.", mirror: false, now);
    }
}

/// <summary>Durable work: send the question card to one owner's 1:1 chat (installing the app first when needed).</summary>
public sealed record TeamsSendWork(Guid QuestionId, string ObjectId, string Reason) : IWork
{
    public static string Kind => "teams.send";
    public static string Key(Guid questionId, string objectId) => $"{Kind}:{questionId:D}:{objectId.ToLowerInvariant()}";
}

/// <summary>Durable work: send one digest card (several questions, one owner) to the owner's 1:1 chat.</summary>
public sealed record TeamsDigestWork(Guid DigestId) : IWork
{
    public static string Kind => "teams.digest";
}

/// <summary>Durable work: PUT a digest card so it shows its questions' current states.</summary>
public sealed record TeamsDigestUpdateWork(Guid DigestId) : IWork
{
    public static string Kind => "teams.digest-update";
}

/// <summary>Durable work due Delivery:TeamsAfter after creation: ask in Teams if the question is still open.</summary>
public sealed record TeamsFallbackWork(Guid QuestionId, string ObjectId) : IWork
{
    public static string Kind => "teams.fallback";
    public static string Key(Guid questionId, string objectId) => $"{Kind}:{questionId:D}:{objectId.ToLowerInvariant()}";
}

/// <summary>Durable work: PUT every Teams card of a question so it shows the question's current state.</summary>
public sealed record TeamsUpdateWork(Guid QuestionId) : IWork
{
    public static string Kind => "teams.update";
}

/// <summary>Durable work: a text message into a conversation (greeting, help).</summary>
public sealed record TeamsReplyWork(string ServiceUrl, string ConversationId, string Text) : IWork
{
    public static string Kind => "teams.reply";
}

/// <summary>When a question is decided (answered in any channel, expired, cancelled), every Teams card of it shows the outcome.</summary>
internal sealed class TeamsCardsObserver(BotDbContext db) : IQuestionObserver
{
    public async Task DecidedAsync(Question question, DateTimeOffset now, CancellationToken ct)
    {
        if (await db.TeamsMessages.AnyAsync(m => m.QuestionId == question.Id, ct))
            db.Enqueue($"{TeamsUpdateWork.Kind}:{question.Id:D}:{question.State}", new TeamsUpdateWork(question.Id), now, question.Id);
    }
}

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
