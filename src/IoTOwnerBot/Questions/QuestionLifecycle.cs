using IoTOwnerBot.Jobs;
using IoTOwnerBot.Persistence;
using Microsoft.EntityFrameworkCore;

namespace IoTOwnerBot.Questions;

/// <summary>
/// The question's state machine: the one path by which a question changes state — an owner's answer, the deadline,
/// the SOC's cancel, and a re-ask (a new round on the same incident). Each transition is one transaction: the
/// aggregate's conditional state change (so two instances can never both win), its timeline entry, what the
/// observers plan (card updates, the SOC thread) and the incident update — all saved together or not at all.
/// </summary>
public sealed partial class QuestionLifecycle(
    BotDbContext db,
    QuestionService questions,
    QuestionTimeline timeline,
    TimeProvider time,
    WorkSignal signal,
    IEnumerable<IQuestionObserver> observers,
    ILogger<QuestionLifecycle> logger)
{
    public Task<LifecycleResult> CancelAsync(Guid id, string actor, string? reason, CancellationToken ct) =>
        DecideAsync(id, new CancelDecision(actor, reason), ct);

    /// <summary>Expires an open question whose deadline passed: "no response" on the incident, never closed on silence.</summary>
    public Task<LifecycleResult> ExpireAsync(Guid id, CancellationToken ct) => DecideAsync(id, new ExpireDecision(), ct);

    /// <summary>
    /// Ends an open question with <paramref name="decision"/>. <see cref="LifecycleStatus.NotOpen"/> when the question
    /// may not take it (decided already, another instance won, the deadline has not passed, or the answer's card token
    /// was used already); nothing is changed then.
    /// </summary>
    public async Task<LifecycleResult> DecideAsync(Guid id, QuestionDecision decision, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var question = await db.Questions.SingleOrDefaultAsync(q => q.Id == id, ct);
        if (question is null) return new LifecycleResult(LifecycleStatus.NotFound, null);
        return await DecideTrackedAsync(question, decision, ct);
    }

    /// <summary>
    /// <see cref="DecideAsync(Guid, QuestionDecision, CancellationToken)"/> for an open question the caller has just
    /// read (not tracked, e.g. with its owners and devices), without reading it again: the conditional update still
    /// decides against the store, so a question decided since it was read is <see cref="LifecycleStatus.NotOpen"/>.
    /// </summary>
    public async Task<LifecycleResult> DecideAsync(Question loaded, QuestionDecision decision, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        ArgumentNullException.ThrowIfNull(decision);
        if (!loaded.IsOpen || db.Questions.Local.FindEntry(loaded.Id) is not null) return await DecideAsync(loaded.Id, decision, ct);
        db.Questions.Attach(loaded);
        return await DecideTrackedAsync(loaded, decision, ct);
    }

    private async Task<LifecycleResult> DecideTrackedAsync(Question question, QuestionDecision decision, CancellationToken ct)
    {
        var id = question.Id;
        var now = time.GetUtcNow();

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (!await TransitionAsync(question, decision, now, ct))
        {
            await tx.RollbackAsync(ct);
            return new LifecycleResult(LifecycleStatus.NotOpen, question);
        }
        if (decision is AnswerDecision { SingleUseKey: { } key })
            db.UsedAnswerTokens.Add(new UsedAnswerToken { Key = key, QuestionId = id, UsedAt = now });
        Record(question, decision, now);
        await FollowUpAsync(question, decision, now, ct);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            // The card token already decided (this or another) question: it never decides twice.
            await tx.RollbackAsync(ct);
            db.ChangeTracker.Clear();
            return new LifecycleResult(LifecycleStatus.NotOpen, null);
        }
        await tx.CommitAsync(ct);
        signal.Notify();
        Log.Decided(logger, id, question.State, decision.Actor);
        return new LifecycleResult(LifecycleStatus.Done, question);
    }

    /// <summary>A new round for the same incident and owners; the current round is cancelled if still open, in the same transaction.</summary>
    public async Task<LifecycleResult> ReaskAsync(Guid id, string actor, string? reason, CancellationToken ct)
    {
        var previous = await db.Questions.WithOwnersAndDevices().SingleOrDefaultAsync(q => q.Id == id, ct);
        if (previous is null) return new LifecycleResult(LifecycleStatus.NotFound, null);
        if (await db.Questions.AnyAsync(q => q.IncidentKey == previous.IncidentKey && q.Round > previous.Round, ct))
            return new LifecycleResult(LifecycleStatus.Superseded, previous);
        if (previous.Recipients.Count == 0) return new LifecycleResult(LifecycleStatus.NotOpen, previous);

        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (previous.IsOpen)
        {
            // The round being replaced is cancelled without an event of its own: the re-ask event says it all.
            var cancel = new CancelDecision(actor, reason);
            if (!await TransitionAsync(previous, cancel, now, ct))
            {
                await tx.RollbackAsync(ct);
                return new LifecycleResult(LifecycleStatus.NotOpen, previous);
            }
            await FollowUpAsync(previous, cancel, now, ct);
        }

        if (previous.NextRound(now) is not { } next)
        {
            await tx.RollbackAsync(ct);
            return new LifecycleResult(LifecycleStatus.NotOpen, previous);
        }
        timeline.Record(next, TimelineKinds.Reasked, actor,
            $"{actor} asked the owners again (round {next.Round}){Because(reason)}: {string.Join(", ", next.Recipients.Select(r => r.Display))}.", now);
        questions.Schedule(next, now);
        db.Questions.Add(next);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            // Two re-asks at once: the other one made this round.
            await tx.RollbackAsync(ct);
            db.ChangeTracker.Clear();
            return new LifecycleResult(LifecycleStatus.Superseded, previous);
        }
        await tx.CommitAsync(ct);
        signal.Notify();
        Log.Reasked(logger, previous.Id, next.Id, next.Round);
        return new LifecycleResult(LifecycleStatus.Done, next);
    }

    /// <summary>
    /// The aggregate takes the decision, then the database does — one conditional update on "still open and
    /// unchanged" — so of two instances deciding at once exactly one wins. On a lost race the question is re-read.
    /// </summary>
    private async Task<bool> TransitionAsync(Question question, QuestionDecision decision, DateTimeOffset now, CancellationToken ct)
    {
        var version = question.Version;
        if (!question.Decide(decision, now)) return false;
        var (state, answer, by, channel, at, updated, next) =
            (question.State, question.Answer, question.AnsweredBy, question.AnswerChannel, question.AnsweredAt, question.UpdatedAt, question.Version);
        var (byObjectId, forRecipient) = (question.AnsweredByObjectId, question.AnsweredForRecipientId);
        var changed = await db.Questions
            .Where(q => q.Id == question.Id && q.State == QuestionState.Open && q.Version == version)
            .ExecuteUpdateAsync(s => s
                .SetProperty(q => q.State, state)
                .SetProperty(q => q.Answer, answer)
                .SetProperty(q => q.AnsweredBy, by)
                .SetProperty(q => q.AnsweredByObjectId, byObjectId)
                .SetProperty(q => q.AnsweredForRecipientId, forRecipient)
                .SetProperty(q => q.AnswerChannel, channel)
                .SetProperty(q => q.AnsweredAt, at)
                .SetProperty(q => q.UpdatedAt, updated)
                .SetProperty(q => q.Version, next), ct);
        if (changed == 0)
        {
            Log.LostRace(logger, question.Id);
            await db.Entry(question).ReloadAsync(ct);
            return false;
        }
        // The conditional update wrote the change: the tracked question's values are now the row's.
        var entry = db.Entry(question);
        entry.OriginalValues.SetValues(entry.CurrentValues);
        return true;
    }

    private void Record(Question question, QuestionDecision decision, DateTimeOffset now)
    {
        switch (decision)
        {
            case AnswerDecision a:
                timeline.Record(question, TimelineKinds.AnswerRecorded, a.By,
                    $"{a.By} answered \"{AnswerService.Describe(a.Answer)}\" in {a.Channel} at {now:yyyy-MM-dd HH:mm:ss} UTC.", now);
                break;
            case ExpireDecision e:
                timeline.Record(question, TimelineKinds.Expired, e.Actor,
                    "Nobody answered before the deadline. The incident is labelled and otherwise left as it is.", now);
                break;
            case CancelDecision c:
                timeline.Record(question, TimelineKinds.Cancelled, c.By,
                    $"{c.By} cancelled the question{Because(c.Reason)}. The owners' answers will no longer change the incident.", now);
                break;
        }
    }

    /// <summary>What every decision implies: each view of the question shows it, and an answer or silence reaches the incident.</summary>
    private async Task FollowUpAsync(Question question, QuestionDecision decision, DateTimeOffset now, CancellationToken ct)
    {
        foreach (var observer in observers) await observer.DecidedAsync(question, now, ct);
        if (decision.UpdatesIncident)
            db.Enqueue($"update:{question.Id:D}", new IncidentUpdateWork(question.Id, Guid.NewGuid()), now, question.Id,
                QuestionTimeline.CommentLane(question.Id));
    }

    private static string Because(string? reason) => string.IsNullOrWhiteSpace(reason) ? "" : $" ({reason.Trim()})";

    private static partial class Log
    {
        [LoggerMessage(EventId = 1901, Level = LogLevel.Information, Message = "Question {QuestionId} is now {State} ({Actor})")]
        public static partial void Decided(ILogger logger, Guid questionId, QuestionState state, string actor);

        [LoggerMessage(EventId = 1902, Level = LogLevel.Information, Message = "Question {QuestionId} re-asked as {NextId} (round {Round})")]
        public static partial void Reasked(ILogger logger, Guid questionId, Guid nextId, int round);

        [LoggerMessage(EventId = 1903, Level = LogLevel.Information, Message = "Question {QuestionId} was decided by someone else first")]
        public static partial void LostRace(ILogger logger, Guid questionId);
    }
}
