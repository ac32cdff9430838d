using IoTOwnerBot.Graph;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Questions;

/// <summary>Durable work: escalate a question nobody answered in time to the owners' managers and the escalation contacts.</summary>
public sealed record EscalateWork(Guid QuestionId) : IWork
{
    public static string Kind => "question.escalate";
}

/// <summary>
/// Escalates a question still open after Lifecycle:EscalateAfter: each owner's manager from the directory and the
/// configured escalation contacts become recipients (so they may answer), and every channel asks them.
/// </summary>
internal sealed partial class EscalateWorkHandler(
    BotDbContext db,
    QuestionTimeline timeline,
    DirectoryClient directory,
    IEnumerable<IQuestionDelivery> deliveries,
    IOptionsMonitor<LifecycleOptions> lifecycle,
    TimeProvider time,
    WorkSignal signal,
    ILogger<EscalateWorkHandler> logger) : IWorkHandler
{
    public async Task<WorkResult> RunAsync(WorkItem item, CancellationToken ct)
    {
        var work = item.ReadPayload<EscalateWork>();
        var question = await db.Questions.WithOwnersAndDevices().SingleOrDefaultAsync(q => q.Id == work.QuestionId, ct);
        if (question is null || !question.IsOpen) return WorkResult.Done;
        if (await db.Timeline.AnyAsync(t => t.QuestionId == question.Id && t.Kind == TimelineKinds.Escalated, ct)) return WorkResult.Done;

        var policy = lifecycle.CurrentValue;
        var added = new List<(Recipient Recipient, string Why)>();
        bool Known(string? objectId, string address) => question.Recipients.Concat(added.Select(a => a.Recipient)).Any(r =>
            (objectId is not null && string.Equals(r.ObjectId, objectId, StringComparison.OrdinalIgnoreCase)) ||
            string.Equals(r.Address, address, StringComparison.OrdinalIgnoreCase) || string.Equals(r.Mail, address, StringComparison.OrdinalIgnoreCase));

        if (policy.EscalateToManager)
        {
            foreach (var owner in question.Recipients.Where(r => r.Source != OwnerSource.Escalation && r.ObjectId is not null).ToList())
            {
                var manager = await directory.FindManagerAsync(owner.ObjectId!, ct);
                if (manager is null || Known(manager.ObjectId, manager.UserPrincipalName ?? manager.ObjectId)) continue;
                added.Add((ToRecipient(question, manager, manager.UserPrincipalName ?? manager.ObjectId, owner.DeviceNames), $"manager of {owner.Display}"));
            }
        }
        foreach (var contact in policy.EscalationContacts)
        {
            var user = await directory.FindUserAsync(contact, ct);
            if (Known(user?.ObjectId, contact)) continue;
            added.Add((user is null
                ? new Recipient { QuestionId = question.Id, Address = contact, Source = OwnerSource.Escalation, Mail = contact.Contains('@', StringComparison.Ordinal) ? contact : null }
                : ToRecipient(question, user, contact, []), "escalation contact"));
        }

        var now = time.GetUtcNow();
        if (added.Count == 0)
        {
            timeline.Record(question, TimelineKinds.Escalated, QuestionService.Actor,
                "Nobody has answered yet, and there is nobody to escalate to (no manager in the directory, no escalation contact). The SOC should follow up.", now);
        }
        else
        {
            question.Recipients.AddRange(added.Select(a => a.Recipient));
            timeline.Record(question, TimelineKinds.Escalated, QuestionService.Actor,
                $"Nobody has answered yet: escalated to {string.Join(", ", added.Select(a => $"{a.Recipient.Display} ({a.Why})"))}.", now);
            foreach (var delivery in deliveries) delivery.PlanFor(question, [.. added.Select(a => a.Recipient)], now);
        }
        await db.SaveChangesAsync(ct);
        signal.Notify();
        Log.Escalated(logger, question.Id, added.Count);
        return WorkResult.Done;
    }

    private static Recipient ToRecipient(Questions.Question question, DirectoryUser user, string address, IEnumerable<string> devices) => new()
    {
        QuestionId = question.Id,
        Address = address,
        Source = OwnerSource.Escalation,
        DeviceNames = [.. devices],
        FoundInDirectory = true,
        ObjectId = user.ObjectId,
        UserPrincipalName = user.UserPrincipalName,
        Mail = user.Mail,
        DisplayName = user.DisplayName,
        PreferredLanguage = user.PreferredLanguage,
    };

    private static partial class Log
    {
        [LoggerMessage(EventId = 1912, Level = LogLevel.Information, Message = "Question {QuestionId} escalated to {Count} more people")]
        public static partial void Escalated(ILogger logger, Guid questionId, int count);
    }
}
