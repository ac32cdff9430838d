using IoTOwnerBot.Hosting;
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
    Deferred<BotDbContext> db,
    Deferred<QuestionTimeline> timeline,
    Deferred<QuestionLifecycle> lifecycle,
    TimeProvider time,
    WorkSignal signal,
    IOptionsMonitor<DecisionOptions> decision,
    Deferred<Graph.DirectoryClient> directory,
    DecidedQuestions decided,
    ILogger<AnswerService> logger)
{
    public Task<AnswerResult> AnswerAsync(Guid questionId, OwnerAnswer answer, Responder responder, string channel, CancellationToken ct) =>
        AnswerAsync(questionId, answer, responder, channel, AnswerBinding.None, ct);

    public async Task<AnswerResult> AnswerAsync(Guid questionId, OwnerAnswer answer, Responder responder, string channel, AnswerBinding binding, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(binding);
        var question = await Load(questionId, ct);
        if (question is null) return new AnswerResult(AnswerStatus.NotFound, null);

        var delegates = decision.CurrentValue.Delegates;
        var answeredFor = ResponderCheck.AnswersFor(question.Recipients, responder, binding.Recipient, delegates);
        if (answeredFor is null && responder is { UserPrincipalName: null, ObjectId: { Length: > 0 } } && delegates.Count > 0)
        {
            // Teams says only the object id; delegates may be configured by address.
            responder = responder with { UserPrincipalName = await UpnOfAsync(responder.ObjectId, ct) };
            answeredFor = ResponderCheck.AnswersFor(question.Recipients, responder, binding.Recipient, delegates);
        }
        if (answeredFor is null)
        {
            await RecordRejectedAsync(question.Id, responder, channel, "was not asked. Forwarded cards cannot be answered", ct);
            return new AnswerResult(AnswerStatus.NotARecipient, question);
        }
        if (!question.IsOpen) return new AnswerResult(AnswerStatus.AlreadyDecided, question);

        // The question read above is still open: it is decided as read, without reading it again. If another click won
        // since (this card's token included: a used token's question was decided in the same transaction), the
        // conditional update finds it no longer open, and the answer shows the question as decided, never as read.
        var outcome = await lifecycle.Value.DecideAsync(question, new AnswerDecision(answer, responder.Display, channel, binding.SingleUseKey, responder.ObjectId, answeredFor.Id), ct);
        if (outcome.Status != LifecycleStatus.Done) return new AnswerResult(AnswerStatus.AlreadyDecided, await Load(questionId, ct));
        Log.Recorded(logger, questionId, answer, channel);
        return new AnswerResult(AnswerStatus.Recorded, decided.KeepDecided(db.Value, outcome.Question!));
    }

    public static string Describe(OwnerAnswer answer) => answer == OwnerAnswer.Expected ? "Yes, this is expected" : "No, this is NOT expected";

    /// <summary>
    /// Whether <paramref name="responder"/> may answer: a recipient (the one <paramref name="boundTo"/> names, when the
    /// card is bound to one) or a configured delegate of such a recipient (<see cref="ResponderCheck"/> decides).
    /// </summary>
    internal static bool MayAnswer(Question question, Responder responder, string? boundTo, IReadOnlyList<DelegateEntry> delegates) =>
        ResponderCheck.AnswersFor(question.Recipients, responder, boundTo, delegates) is not null;

    private async Task<string?> UpnOfAsync(string objectId, CancellationToken ct)
    {
        try
        {
            return (await directory.Value.FindUserAsync(objectId, ct))?.UserPrincipalName;
        }
        catch (Exception ex) when (ex is Microsoft.Graph.Models.ODataErrors.ODataError or HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            // Fail closed: without the directory the delegate check cannot match an address.
            Log.DirectoryUnavailable(logger, ex.GetType().Name);
            return null;
        }
    }

    /// <summary>
    /// A refused answer, as a security event on the question's timeline and the incident. Callers record it only for a
    /// question the attempt provably concerns (a verified card token, or a channel-authenticated click on its card).
    /// </summary>
    public async Task RecordRejectedAsync(Guid questionId, Responder responder, string channel, string why, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(responder);
        var tracked = await db.Value.Questions.SingleOrDefaultAsync(q => q.Id == questionId, ct);
        if (tracked is null) return;
        timeline.Value.Record(tracked, TimelineKinds.ResponderRejected, responder.Display,
            $"Security: {responder.Display} (object id {responder.ObjectId ?? "unknown"}, tenant {responder.TenantId ?? "unknown"}) tried to answer in {channel} but {why}; nothing was changed.", time.GetUtcNow());
        await db.Value.SaveChangesAsync(ct);
        signal.Notify();
        Log.Rejected(logger, questionId, responder.ObjectId, channel);
    }

    /// <summary>A decided question cannot change, so a second click on it is answered from memory.</summary>
    private Task<Question?> Load(Guid id, CancellationToken ct) => decided.LoadAsync(db, id, ct);

    private static partial class Log
    {
        [LoggerMessage(EventId = 1701, Level = LogLevel.Information, Message = "Question {QuestionId} answered {Answer} via {Channel}")]
        public static partial void Recorded(ILogger logger, Guid questionId, OwnerAnswer answer, string channel);

        [LoggerMessage(EventId = 1703, Level = LogLevel.Warning, Message = "Security: user {ObjectId} tried to answer question {QuestionId} via {Channel} but was not asked")]
        public static partial void Rejected(ILogger logger, Guid questionId, string? objectId, string channel);

        [LoggerMessage(EventId = 1704, Level = LogLevel.Warning, Message = "The directory could not be asked for a responder's UPN ({Error}); delegates configured by address are not matched")]
        public static partial void DirectoryUnavailable(ILogger logger, string error);
    }
}
