using IoTOwnerBot.Digests;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Persistence;
using IoTOwnerBot.Questions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Outlook;

/// <summary>
/// Plans the e-mails of a new question in the question's own unit of work: one send per owner mailbox. With digests on,
/// the send waits <see cref="DigestOptions.Window"/>, so the owner's other questions of the same burst can join it.
/// </summary>
internal sealed class OutlookDelivery(BotDbContext db, OutlookMessages messages, IOptionsMonitor<OutlookOptions> options,
    IOptionsMonitor<DeliveryOptions> delivery, IOptionsMonitor<DigestOptions> digests, QuestionTimeline timeline) : IQuestionDelivery
{
    public void Plan(Question question, DateTimeOffset now) =>
        PlanFor(question, question.Recipients, now);

    public void PlanFor(Question question, IReadOnlyList<Recipient> recipients, DateTimeOffset now)
    {
        if (!options.CurrentValue.Enabled || !delivery.CurrentValue.SendsEmail) return;
        var due = now + (digests.CurrentValue.Enabled ? digests.CurrentValue.Window : TimeSpan.Zero);
        if (question.CardVersions.Count == 0) question.CardVersions = messages.CurrentVersions();
        foreach (var recipient in recipients.DistinctBy(r => (r.Mail ?? r.Address).ToLowerInvariant()))
        {
            if (recipient.Mail is not { Length: > 0 } mail)
            {
                timeline.Record(question, OutlookTimeline.DeliveryFailed, QuestionService.Actor,
                    $"{recipient.Display} has no mailbox, so they cannot be asked by e-mail.", now);
                continue;
            }
            db.Enqueue($"{OutlookSendWork.Kind}:{question.Id:D}:{mail.ToLowerInvariant()}",
                new OutlookSendWork(question.Id, mail, Guid.NewGuid()), due, question.Id);
        }
    }

    /// <summary>The question card again, as a new e-mail marked as a reminder, to every owner it was e-mailed to.</summary>
    public async Task RemindAsync(Question question, int reminder, DateTimeOffset now, CancellationToken ct)
    {
        if (!options.CurrentValue.Enabled || !delivery.CurrentValue.SendsEmail) return;
        var prefix = $"{OutlookSendWork.Kind}:{question.Id:D}:";
        var mailed = await db.WorkItems.Where(w => w.Kind == OutlookSendWork.Kind && w.QuestionId == question.Id && w.Status == WorkStatus.Succeeded)
            .Select(w => w.DedupeKey).ToListAsync(ct);
        foreach (var mail in mailed.Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && !k.Contains(":reminder-", StringComparison.Ordinal)).Select(k => k[prefix.Length..]))
            db.Enqueue($"{prefix}{mail}:reminder-{reminder}", new OutlookSendWork(question.Id, mail, Guid.NewGuid(), reminder), now, question.Id);
    }
}
