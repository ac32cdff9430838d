using IoTOwnerBot.Jobs;
using IoTOwnerBot.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Questions;

/// <summary>Who clicked, as the channel's verified token says.</summary>
public sealed record Responder(string? ObjectId, string? UserPrincipalName, string? TenantId, string? DisplayName)
{
    public string Display => DisplayName is { Length: > 0 } name
        ? UserPrincipalName is { Length: > 0 } upn ? $"{name} ({upn})" : name
        : UserPrincipalName ?? ObjectId ?? "unknown user";
}

public enum AnswerStatus { Recorded, AlreadyDecided, NotARecipient, NotFound }

public sealed record AnswerResult(AnswerStatus Status, Question? Question);

/// <summary>
/// What the channel's card bound the answer to. <paramref name="Recipient"/> (object id or address): only that
/// recipient, or one of their delegates, may answer with it. <paramref name="SingleUseKey"/>: the card token's nonce,
/// stored with the winning answer so the token can never decide anything again.
/// </summary>
public sealed record AnswerBinding(string? Recipient = null, string? SingleUseKey = null)
{
    public static readonly AnswerBinding None = new();
}

/// <summary>A card token that has decided a question.</summary>
public sealed class UsedAnswerToken
{
    public required string Key { get; set; }
    public Guid QuestionId { get; set; }
    public DateTimeOffset UsedAt { get; set; }
}

/// <summary>
/// The one answer path for every channel: checks that the responder was asked (or is a configured
/// delegate) and that the card token is unused, then takes the answer through the question's state machine
/// (<see cref="QuestionLifecycle"/>: first answer wins, one transaction with its timeline entry, card updates
/// and the durable incident update, so the click never waits for Sentinel).
/// </summary>
public sealed partial class AnswerService(
    BotDbContext db,
    QuestionService questions,
    QuestionLifecycle lifecycle,
    TimeProvider time,
    WorkSignal signal,
    IOptionsMonitor<DecisionOptions> decision,
    ILogger<AnswerService> logger)
{
    public Task<AnswerResult> AnswerAsync(Guid questionId, OwnerAnswer answer, Responder responder, string channel, CancellationToken ct) =>
        AnswerAsync(questionId, answer, responder, channel, AnswerBinding.None, ct);

    public async Task<AnswerResult> AnswerAsync(Guid questionId, OwnerAnswer answer, Responder responder, string channel, AnswerBinding binding, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(binding);
        var question = await Load(questionId, ct);
        if (question is null) return new AnswerResult(AnswerStatus.NotFound, null);

        if (!MayAnswer(question, responder, binding.Recipient, decision.CurrentValue.Delegates))
        {
            await RecordRejectedAsync(question, responder, channel, ct);
            return new AnswerResult(AnswerStatus.NotARecipient, question);
        }
        if (!question.IsOpen) return new AnswerResult(AnswerStatus.AlreadyDecided, question);
        if (binding.SingleUseKey is { } used && await db.UsedAnswerTokens.AnyAsync(t => t.Key == used, ct))
            return new AnswerResult(AnswerStatus.AlreadyDecided, question);

        var decided = await lifecycle.DecideAsync(questionId, new AnswerDecision(answer, responder.Display, channel, binding.SingleUseKey), ct);
        if (decided.Status != LifecycleStatus.Done) return new AnswerResult(AnswerStatus.AlreadyDecided, await Load(questionId, ct));
        Log.Recorded(logger, questionId, answer, channel);
        return new AnswerResult(AnswerStatus.Recorded, await Load(questionId, ct));
    }

    public static string Describe(OwnerAnswer answer) => answer == OwnerAnswer.Expected ? "Yes, this is expected" : "No, this is NOT expected";

    /// <summary>
    /// Whether <paramref name="responder"/> may answer: a recipient (the one <paramref name="boundTo"/> names, when the
    /// card is bound to one) or a configured delegate of such a recipient.
    /// </summary>
    internal static bool MayAnswer(Question question, Responder responder, string? boundTo, IReadOnlyList<DelegateEntry> delegates)
    {
        var recipients = boundTo is null
            ? question.Recipients
            : question.Recipients.Where(r => Same(boundTo, r.ObjectId) || Same(boundTo, r.Address) || Same(boundTo, r.Mail)).ToList();
        foreach (var r in recipients)
            if (Matches(r.ObjectId, r.Address, r.Mail, r.UserPrincipalName, responder)) return true;

        foreach (var entry in delegates)
        {
            var forRecipient = recipients.Any(r =>
                Same(entry.Owner, r.ObjectId) || Same(entry.Owner, r.Address) || Same(entry.Owner, r.Mail) || Same(entry.Owner, r.UserPrincipalName));
            if (forRecipient && entry.Delegates.Any(d => Same(d, responder.ObjectId) || Same(d, responder.UserPrincipalName))) return true;
        }
        return false;
    }

    /// <summary>
    /// The immutable object id decides when both sides have one; an address is compared only for owners the
    /// directory did not know (an address can be reassigned, an object id cannot).
    /// </summary>
    private static bool Matches(string? objectId, string address, string? mail, string? upn, Responder responder)
    {
        if (objectId is not null && responder.ObjectId is not null) return Same(objectId, responder.ObjectId);
        return responder.UserPrincipalName is { } who && (Same(address, who) || Same(mail, who) || Same(upn, who));
    }

    private static bool Same(string? a, string? b) =>
        a is { Length: > 0 } && b is { Length: > 0 } && string.Equals(a.Trim(), b.Trim(), StringComparison.OrdinalIgnoreCase);

    private async Task RecordRejectedAsync(Question question, Responder responder, string channel, CancellationToken ct)
    {
        var tracked = await db.Questions.SingleAsync(q => q.Id == question.Id, ct);
        questions.Record(tracked, TimelineKinds.ResponderRejected, responder.Display,
            $"Security: {responder.Display} (object id {responder.ObjectId ?? "unknown"}, tenant {responder.TenantId ?? "unknown"}) tried to answer in {channel} but was not asked. Forwarded cards cannot be answered; nothing was changed.",
            mirror: true, time.GetUtcNow());
        await db.SaveChangesAsync(ct);
        signal.Notify();
        Log.Rejected(logger, question.Id, responder.ObjectId, channel);
    }

    private Task<Question?> Load(Guid id, CancellationToken ct) =>
        db.Questions.AsNoTracking().Include(q => q.Recipients).Include(q => q.Devices)
            .SingleOrDefaultAsync(q => q.Id == id, ct);

    private static partial class Log
    {
        [LoggerMessage(EventId = 1701, Level = LogLevel.Information, Message = "Question {QuestionId} answered {Answer} via {Channel}")]
        public static partial void Recorded(ILogger logger, Guid questionId, OwnerAnswer answer, string channel);

        [LoggerMessage(EventId = 1703, Level = LogLevel.Warning, Message = "Security: user {ObjectId} tried to answer question {QuestionId} via {Channel} but was not asked")]
        public static partial void Rejected(ILogger logger, Guid questionId, string? objectId, string channel);
    }
}

/// <summary>Durable work: apply a recorded answer to the incident and comment on it under a fixed id.</summary>
public sealed record IncidentUpdateWork(Guid QuestionId, Guid CommentId)
{
    public const string Kind = "incident.update";
}
