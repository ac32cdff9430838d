using IoTOwnerBot.Jobs;
using IoTOwnerBot.Persistence;
using Microsoft.EntityFrameworkCore;

namespace IoTOwnerBot.Questions;

public enum LifecycleStatus { Done, NotFound, NotOpen, Superseded }

public sealed record LifecycleResult(LifecycleStatus Status, Question? Question);

/// <summary>
/// What the SOC and the clock do to a question: cancel it, re-ask (a new round on the same incident),
/// and expire it when nobody answered in time. Each is one conditional state change plus its timeline
/// event, mirrored on the incident.
/// </summary>
public sealed partial class QuestionLifecycle(
    BotDbContext db,
    QuestionService questions,
    TimeProvider time,
    WorkSignal signal,
    IEnumerable<IQuestionObserver> observers,
    ILogger<QuestionLifecycle> logger)
{
    public async Task<LifecycleResult> CancelAsync(Guid id, string actor, string? reason, CancellationToken ct)
    {
        var question = await db.Questions.SingleOrDefaultAsync(q => q.Id == id, ct);
        if (question is null) return new LifecycleResult(LifecycleStatus.NotFound, null);
        var now = time.GetUtcNow();
        if (!await TransitionAsync(question, QuestionState.Cancelled, now, ct)) return new LifecycleResult(LifecycleStatus.NotOpen, question);

        questions.Record(question, TimelineKinds.Cancelled, actor,
            $"{actor} cancelled the question{Because(reason)}. The owners' answers will no longer change the incident.", mirror: true, now);
        foreach (var observer in observers) await observer.DecidedAsync(question, now, ct);
        await db.SaveChangesAsync(ct);
        signal.Notify();
        Log.Cancelled(logger, id);
        return new LifecycleResult(LifecycleStatus.Done, question);
    }

    /// <summary>A new round for the same incident and owners; the current round is cancelled if still open.</summary>
    public async Task<LifecycleResult> ReaskAsync(Guid id, string actor, string? reason, CancellationToken ct)
    {
        var previous = await db.Questions.Include(q => q.Devices).Include(q => q.Recipients).SingleOrDefaultAsync(q => q.Id == id, ct);
        if (previous is null) return new LifecycleResult(LifecycleStatus.NotFound, null);
        if (await db.Questions.AnyAsync(q => q.IncidentKey == previous.IncidentKey && q.Round > previous.Round, ct))
            return new LifecycleResult(LifecycleStatus.Superseded, previous);
        if (previous.Recipients.Count == 0) return new LifecycleResult(LifecycleStatus.NotOpen, previous);

        var now = time.GetUtcNow();
        if (previous.State == QuestionState.Open)
        {
            if (!await TransitionAsync(previous, QuestionState.Cancelled, now, ct)) return new LifecycleResult(LifecycleStatus.NotOpen, previous);
            foreach (var observer in observers) await observer.DecidedAsync(previous, now, ct);
        }

        var next = new Question
        {
            Id = Guid.NewGuid(),
            IncidentKey = previous.IncidentKey,
            Round = previous.Round + 1,
            SubscriptionId = previous.SubscriptionId,
            ResourceGroup = previous.ResourceGroup,
            WorkspaceName = previous.WorkspaceName,
            IncidentName = previous.IncidentName,
            IncidentNumber = previous.IncidentNumber,
            IncidentTitle = previous.IncidentTitle,
            IncidentDescription = previous.IncidentDescription,
            IncidentSeverity = previous.IncidentSeverity,
            IncidentUrl = previous.IncidentUrl,
            IncidentCreatedAt = previous.IncidentCreatedAt,
            State = QuestionState.Open,
            CreatedAt = now,
            UpdatedAt = now,
            Devices = previous.Devices.Select(d => new QuestionDevice
            {
                Name = d.Name, DeviceId = d.DeviceId, DeviceType = d.DeviceType, DeviceSubType = d.DeviceSubType, Vendor = d.Vendor,
                Model = d.Model, FirmwareVersion = d.FirmwareVersion, IpAddress = d.IpAddress, MacAddress = d.MacAddress,
                Site = d.Site, Zone = d.Zone, Sensor = d.Sensor, Importance = d.Importance,
            }).ToList(),
            Recipients = previous.Recipients.Select(r => new Recipient
            {
                Address = r.Address, Source = r.Source, DeviceNames = [.. r.DeviceNames], FoundInDirectory = r.FoundInDirectory,
                ObjectId = r.ObjectId, UserPrincipalName = r.UserPrincipalName, Mail = r.Mail, DisplayName = r.DisplayName,
                PreferredLanguage = r.PreferredLanguage,
            }).ToList(),
        };
        questions.Record(next, TimelineKinds.Reasked, actor,
            $"{actor} asked the owners again (round {next.Round}){Because(reason)}: {string.Join(", ", next.Recipients.Select(r => r.Display))}.",
            mirror: true, now);
        questions.Schedule(next, now);
        db.Questions.Add(next);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            // Two re-asks at once: the other one made this round.
            return new LifecycleResult(LifecycleStatus.Superseded, previous);
        }
        signal.Notify();
        Log.Reasked(logger, previous.Id, next.Id, next.Round);
        return new LifecycleResult(LifecycleStatus.Done, next);
    }

    /// <summary>Expires an open question whose deadline passed: "no response" on the incident, never closed on silence.</summary>
    public async Task<LifecycleResult> ExpireAsync(Guid id, CancellationToken ct)
    {
        var question = await db.Questions.SingleOrDefaultAsync(q => q.Id == id, ct);
        if (question is null) return new LifecycleResult(LifecycleStatus.NotFound, null);
        var now = time.GetUtcNow();
        if (question.ExpiresAt > now) return new LifecycleResult(LifecycleStatus.NotOpen, question);
        if (!await TransitionAsync(question, QuestionState.Expired, now, ct)) return new LifecycleResult(LifecycleStatus.NotOpen, question);

        questions.Record(question, TimelineKinds.Expired, QuestionService.Actor,
            "Nobody answered before the deadline. The incident is labelled and otherwise left as it is.", mirror: false, now);
        foreach (var observer in observers) await observer.DecidedAsync(question, now, ct);
        db.Enqueue(IncidentUpdateWork.Kind, $"update:{question.Id:D}", new IncidentUpdateWork(question.Id, Guid.NewGuid()), now, question.Id,
            QuestionService.CommentLane(question.Id));
        await db.SaveChangesAsync(ct);
        signal.Notify();
        Log.Expired(logger, id);
        return new LifecycleResult(LifecycleStatus.Done, question);
    }

    /// <summary>Open → <paramref name="to"/>, only if still open and unchanged: the single conditional update every transition uses.</summary>
    private async Task<bool> TransitionAsync(Question question, QuestionState to, DateTimeOffset now, CancellationToken ct)
    {
        var version = question.Version;
        var changed = await db.Questions
            .Where(q => q.Id == question.Id && q.State == QuestionState.Open && q.Version == version)
            .ExecuteUpdateAsync(s => s
                .SetProperty(q => q.State, to)
                .SetProperty(q => q.UpdatedAt, now)
                .SetProperty(q => q.Version, q => q.Version + 1), ct);
        if (changed == 0) return false;
        await db.Entry(question).ReloadAsync(ct);
        return true;
    }

    private static string Because(string? reason) => string.IsNullOrWhiteSpace(reason) ? "" : $" ({reason.Trim()})";

    private static partial class Log
    {
        [LoggerMessage(EventId = 1901, Level = LogLevel.Information, Message = "Question {QuestionId} cancelled")]
        public static partial void Cancelled(ILogger logger, Guid questionId);

        [LoggerMessage(EventId = 1902, Level = LogLevel.Information, Message = "Question {QuestionId} re-asked as {NextId} (round {Round})")]
        public static partial void Reasked(ILogger logger, Guid questionId, Guid nextId, int round);

        [LoggerMessage(EventId = 1903, Level = LogLevel.Information, Message = "Question {QuestionId} expired without an answer")]
        public static partial void Expired(ILogger logger, Guid questionId);
    }
}

/// <summary>Durable work: expire a question at its deadline (a no-op if it was answered or cancelled first).</summary>
public sealed record ExpireWork(Guid QuestionId)
{
    public const string Kind = "question.expire";
}

internal sealed class ExpireWorkHandler(QuestionLifecycle lifecycle) : IWorkHandler
{
    public string Kind => ExpireWork.Kind;

    public async Task<WorkResult> RunAsync(WorkItem item, CancellationToken ct)
    {
        await lifecycle.ExpireAsync(item.ReadPayload<ExpireWork>().QuestionId, ct);
        return WorkResult.Done;
    }
}
