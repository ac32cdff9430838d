using IoTOwnerBot.Digests;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Persistence;
using IoTOwnerBot.Questions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Outlook;

/// <summary>Durable work: e-mail one digest (several questions, one owner). The delivery id is on the digest.</summary>
public sealed record OutlookDigestWork(Guid DigestId) : IWork
{
    public static string Kind => "outlook.digest";
}

/// <summary>
/// Sends one digest e-mail, never twice, as <see cref="OutlookSendWorkHandler"/> sends a question: the digest's delivery
/// id is on the message, and any attempt after one that may have reached Graph looks in Sent Items before sending. Every question of the
/// digest gets its own timeline entry; if the e-mail is refused for good, each is reported on its incident and the
/// owner is asked in Teams.
/// </summary>
public sealed partial class OutlookDigestWorkHandler(
    BotDbContext db,
    DigestAnswers digests,
    OutlookMailer mailer,
    OutlookMessages messages,
    QuestionTimeline timeline,
    IFallbackDelivery fallback,
    SenderPool pool,
    IOptionsMonitor<OutlookOptions> options,
    IOptionsMonitor<DeliveryOptions> delivery,
    TimeProvider time,
    ILogger<OutlookDigestWorkHandler> logger) : IWorkHandler
{
    public async Task<WorkResult> RunAsync(WorkItem item, CancellationToken ct)
    {
        var work = item.ReadPayload<OutlookDigestWork>();
        var view = await digests.LoadAsync(work.DigestId, ct);
        if (view is null) return WorkResult.Fail($"Digest {work.DigestId} does not exist.");
        if (view.Digest.SentAt is not null) return WorkResult.Done;
        if (view.Recipient is not { Mail: { Length: > 0 } } recipient) return WorkResult.Fail($"Digest {work.DigestId} has no recipient with a mailbox.");
        var digest = view.Digest;
        var sender = await pool.SenderOfAsync(digest.DeliveryId, ct);

        switch (await OutlookSendWorkHandler.EarlierAttemptAsync(item, mailer, sender, digest.DeliveryId, options.CurrentValue, time, ct))
        {
            case OutlookSendWorkHandler.EarlierSend.Sent:
                Log.FoundInSentItems(logger, digest.Id, digest.DeliveryId);
                return await SentAsync(view, recipient, ct);
            case OutlookSendWorkHandler.EarlierSend.TooSoon:
                return WorkResult.RetryAt(item.EffectStartedAt!.Value + options.CurrentValue.UncertainSendRecheckDelay, "an earlier sendMail may not be in Sent Items yet");
        }
        // Every question was decided (another owner, the SOC) before the digest went out: nothing to ask any more.
        if (view.OpenCount == 0)
        {
            await pool.ReleaseAsync(digest.DeliveryId, ct);
            return WorkResult.Done;
        }
        var slot = await pool.ReserveAsync(digest.DeliveryId, recipients: 1,
            priority: view.Questions.Any(q => q.IsOpen && OutlookSendWorkHandler.IsUrgent(q)), ct);
        if (slot.At > time.GetUtcNow())
        {
            if (recipient.ObjectId is not null && OutlookSendWorkHandler.WaitsPastTeams(slot, delivery.CurrentValue, time) is { } reason)
                await AskInTeamsAsync(view, recipient, reason, ct);
            return WorkResult.NotSent(slot.At, $"waits for its slot in {slot.Sender}'s sending budget");
        }
        sender = slot.Sender;

        if (digest.CardVersions.Count == 0)
        {
            digest.CardVersions = messages.CurrentVersions();
            await db.Digests.Where(d => d.Id == digest.Id).ExecuteUpdateAsync(s => s.SetProperty(d => d.CardVersions, digest.CardVersions), ct);
        }
        var (mail, _) = messages.Digest(view, recipient);
        var before = item.EffectStartedAt;
        if (!await db.BeginEffectAsync(item, time.GetUtcNow(), ct)) return WorkResult.RetryAt(time.GetUtcNow(), "another worker took the digest over");
        switch (await OutlookSendWorkHandler.TrySendAsync(mailer, sender, mail, digest.DeliveryId, options.CurrentValue, time, ct))
        {
            case OutlookSendWorkHandler.SendAttempt.SenderBlocked blocked:
                await db.RestoreEffectAsync(item, before, ct);
                return await OutlookSendWorkHandler.BlockedAsync(pool, sender, digest.DeliveryId, blocked.Why, options.CurrentValue, time, logger, ct);
            case OutlookSendWorkHandler.SendAttempt.Later later:
                if (later.NotSent) await db.RestoreEffectAsync(item, before, ct);
                Log.WillRetry(logger, digest.Id, later.Reason, later.At);
                return later.Result;
            case OutlookSendWorkHandler.SendAttempt.Refused refused:
                await pool.ReleaseAsync(digest.DeliveryId, ct);
                await FailedAsync(view, recipient, refused.Why, ct);
                return WorkResult.Fail(refused.Summary);
        }
        await pool.SubmittedAsync(sender, digest.DeliveryId, ct);
        return await SentAsync(view, recipient, ct);
    }

    private async Task<WorkResult> SentAsync(DigestView view, Recipient recipient, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var digest = await db.Digests.SingleAsync(d => d.Id == view.Digest.Id, ct);
        if (digest.SentAt is null)
        {
            digest.SentAt = now;
            var ids = view.Questions.Select(q => q.Id).ToList();
            foreach (var question in await db.Questions.Where(q => ids.Contains(q.Id)).ToListAsync(ct))
                timeline.Record(question, OutlookTimeline.DeliverySentInDigest, QuestionService.Actor,
                    $"Question e-mailed to {recipient.Display} in one digest with {ids.Count - 1} other incident(s) (digest {digest.Id:D}, delivery {digest.DeliveryId:D})", now);
            await db.SaveChangesAsync(ct);
        }
        Log.Sent(logger, digest.Id, view.Questions.Count, digest.DeliveryId);
        return WorkResult.Done;
    }

    private async Task FailedAsync(DigestView view, Recipient recipient, string why, CancellationToken ct)
    {
        await AskInTeamsAsync(view, recipient, "the e-mail could not be sent", ct, question =>
            timeline.Record(question, OutlookTimeline.DeliveryFailed, QuestionService.Actor,
                $"The question could not be e-mailed to {recipient.Display} (digest {view.Digest.Id:D}): {why}.", time.GetUtcNow()));
        Log.Failed(logger, view.Digest.Id, why);
    }

    /// <summary>Every open question of the digest is asked in Teams (each owner's own recipient entry), after <paramref name="first"/>.</summary>
    private async Task AskInTeamsAsync(DigestView view, Recipient recipient, string reason, CancellationToken ct, Action<Question>? first = null)
    {
        var ids = view.Questions.Where(q => q.IsOpen).Select(q => q.Id).ToList();
        var open = await db.Questions.WithRecipients().Where(q => ids.Contains(q.Id)).ToListAsync(ct);
        foreach (var question in open)
        {
            first?.Invoke(question);
            var own = question.Recipients.FirstOrDefault(r => string.Equals(r.Mail, recipient.Mail, StringComparison.OrdinalIgnoreCase));
            if (own is not null) await fallback.AskAsync(question, own, reason, ct);
        }
        await db.SaveChangesAsync(ct);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2031, Level = LogLevel.Information, Message = "Digest {DigestId} of {Count} question(s) e-mailed (delivery {DeliveryId})")]
        public static partial void Sent(ILogger logger, Guid digestId, int count, Guid deliveryId);

        [LoggerMessage(EventId = 2032, Level = LogLevel.Information, Message = "Digest {DigestId}: delivery {DeliveryId} was already in Sent Items; not sent again")]
        public static partial void FoundInSentItems(ILogger logger, Guid digestId, Guid deliveryId);

        [LoggerMessage(EventId = 2033, Level = LogLevel.Warning, Message = "Digest {DigestId}: e-mail not sent yet ({Reason}); next attempt at {At}")]
        public static partial void WillRetry(ILogger logger, Guid digestId, string reason, DateTimeOffset at);

        [LoggerMessage(EventId = 2034, Level = LogLevel.Error, Message = "Digest {DigestId}: e-mail failed: {Reason}")]
        public static partial void Failed(ILogger logger, Guid digestId, string reason);
    }
}
