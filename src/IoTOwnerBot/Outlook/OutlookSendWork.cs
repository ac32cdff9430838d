using System.Net;
using IoTOwnerBot.Digests;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Persistence;
using IoTOwnerBot.Questions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Graph.Models.ODataErrors;

namespace IoTOwnerBot.Outlook;

/// <summary>
/// Durable work: e-mail one question to one owner (<paramref name="Reminder"/> &gt; 0: that reminder). The delivery id
/// is fixed when the work is planned.
/// </summary>
public sealed record OutlookSendWork(Guid QuestionId, string Address, Guid DeliveryId, int Reminder = 0) : IWork
{
    public static string Kind => "outlook.send";
}

/// <summary>
/// Sends one question e-mail, never twice. With digests on, it first asks <see cref="DigestPlanner"/> whether the owner
/// has other questions waiting: then they all go out in one digest (<see cref="OutlookDigestWorkHandler"/>) instead. Graph's sendMail is not idempotent, so every message carries the work's
/// delivery id (an internet header and a named property). Every attempt records that it is about to call sendMail
/// before it does (<see cref="WorkItem.EffectStartedAt"/>); an attempt that finds such a record (after a 5xx, a timeout,
/// a crash or a graceful stop, when Graph may have sent it after all) first looks for that id in the sender's Sent Items
/// and sends only if it is not there. Uncertain failures wait <see cref="OutlookOptions.UncertainSendRecheckDelay"/>
/// so Exchange has saved the copy before we look. Definite failures go on the question's timeline.
/// </summary>
public sealed partial class OutlookSendWorkHandler(
    BotDbContext db,
    OutlookMailer mailer,
    OutlookMessages messages,
    QuestionTimeline timeline,
    DigestPlanner planner,
    SenderPool pool,
    IFallbackDelivery fallback,
    IOptionsMonitor<OutlookOptions> options,
    IOptionsMonitor<DeliveryOptions> delivery,
    IOptionsMonitor<DigestOptions> digestOptions,
    TimeProvider time,
    ILogger<OutlookSendWorkHandler> logger) : IWorkHandler
{
    public async Task<WorkResult> RunAsync(WorkItem item, CancellationToken ct)
    {
        var work = item.ReadPayload<OutlookSendWork>();
        var plan = await planner.ClaimAsync(OutlookExtensions.Channel, OutlookSendWork.Kind, work.QuestionId, work.Address,
            digest => db.Enqueue($"{OutlookDigestWork.Kind}:{digest.Id:D}", new OutlookDigestWork(digest.Id), time.GetUtcNow()), ct);
        if (plan.Kind is DeliveryPlanKind.InDigest or DeliveryPlanKind.NotOpen)
        {
            // Gathered into a digest (which has its own slot) or decided: a slot booked for this e-mail goes back.
            await pool.ReleaseAsync(work.DeliveryId, ct);
            return WorkResult.Done;
        }

        var question = await db.Questions.WithOwnersAndDevices()
            .SingleOrDefaultAsync(q => q.Id == work.QuestionId, ct);
        if (question is null) return WorkResult.Fail($"Question {work.QuestionId} does not exist.");
        var recipient = question.Recipients.FirstOrDefault(r => string.Equals(r.Mail, work.Address, StringComparison.OrdinalIgnoreCase));
        if (recipient is null) return WorkResult.Fail($"Question {work.QuestionId} has no recipient {work.Address}.");
        var sender = await pool.SenderOfAsync(work.DeliveryId, ct);

        switch (await EarlierAttemptAsync(item, mailer, sender, work.DeliveryId, options.CurrentValue, time, ct))
        {
            case EarlierSend.Sent:
                Log.FoundInSentItems(logger, question.Id, work.DeliveryId);
                return await SentAsync(question, recipient, work, ct);
            case EarlierSend.TooSoon:
                return WorkResult.RetryAt(item.EffectStartedAt!.Value + options.CurrentValue.UncertainSendRecheckDelay, "an earlier sendMail may not be in Sent Items yet");
        }
        if (!question.IsOpen)
        {
            // Answered (by another owner) or closed before this owner's mail went out: nothing to ask any more, and
            // the slot it had in the sender's budget goes back.
            await pool.ReleaseAsync(work.DeliveryId, ct);
            return WorkResult.Done;
        }

        var slot = await pool.ReserveAsync(work.DeliveryId, recipients: 1, priority: work.Reminder > 0 || IsUrgent(question), ct);
        var automatic = plan.Kind == DeliveryPlanKind.Off && work.Reminder == 0 && digestOptions.CurrentValue.Automatic;
        if (slot.At > time.GetUtcNow())
        {
            if (automatic && slot.At - time.GetUtcNow() > digestOptions.CurrentValue.AutomaticAfter)
            {
                if (await GatherAsync(work, ct)) return WorkResult.Done;
                // Gathering may have cleared the unit of work (a race lost to another worker): read the question again.
                question = await db.Questions.WithRecipients().SingleAsync(q => q.Id == work.QuestionId, ct);
                recipient = question.Recipients.First(r => string.Equals(r.Mail, work.Address, StringComparison.OrdinalIgnoreCase));
            }
            // Only owners the directory knows can be asked in Teams; for the others the fallback says so once, when it is due.
            if (work.Reminder == 0 && recipient.ObjectId is not null && WaitsPastTeams(slot, delivery.CurrentValue, time) is { } reason &&
                await fallback.AskAsync(question, recipient, reason, ct))
                await db.SaveChangesAsync(ct);
            return WorkResult.NotSent(slot.At, $"waits for its slot in {slot.Sender}'s sending budget");
        }
        sender = slot.Sender;
        // Its own from here: no digest gathered for a short budget may take the question while it is being sent.
        if (automatic && (await planner.ClaimAsync(OutlookExtensions.Channel, OutlookSendWork.Kind, work.QuestionId, work.Address, _ => { }, ct, ClaimMode.Alone))
                .Kind is DeliveryPlanKind.InDigest or DeliveryPlanKind.NotOpen)
        {
            await pool.ReleaseAsync(work.DeliveryId, ct);
            return WorkResult.Done;
        }

        var (mail, _) = messages.Question(question, recipient);
        if (work.Reminder > 0) mail = mail with { Subject = $"{messages.ReminderPrefix(recipient)} {mail.Subject}" };
        var before = item.EffectStartedAt;
        if (!await db.BeginEffectAsync(item, time.GetUtcNow(), ct)) return WorkResult.RetryAt(time.GetUtcNow(), "another worker took the e-mail over");
        switch (await TrySendAsync(mailer, sender, mail, work.DeliveryId, options.CurrentValue, time, ct))
        {
            case SendAttempt.SenderBlocked blocked:
                await db.RestoreEffectAsync(item, before, ct);
                return await BlockedAsync(pool, sender, work.DeliveryId, blocked.Why, options.CurrentValue, time, logger, ct);
            case SendAttempt.Later later:
                if (later.NotSent) await db.RestoreEffectAsync(item, before, ct);
                Log.WillRetry(logger, question.Id, later.Reason, later.At);
                return later.Result;
            case SendAttempt.Refused refused:
                await pool.ReleaseAsync(work.DeliveryId, ct);
                await FailedAsync(question, recipient, refused.Why, ct);
                return WorkResult.Fail(refused.Summary);
        }
        await pool.SubmittedAsync(sender, work.DeliveryId, ct);
        return await SentAsync(question, recipient, work, ct);
    }

    /// <summary>
    /// The sending budget would make this e-mail wait longer than <see cref="DigestOptions.AutomaticAfter"/>: the owner's
    /// waiting questions are gathered into one digest that takes the earliest of their e-mails' slots; the other slots
    /// go back. False when the owner has nothing else waiting.
    /// </summary>
    private async Task<bool> GatherAsync(OutlookSendWork work, CancellationToken ct)
    {
        var plan = await planner.ClaimAsync(OutlookExtensions.Channel, OutlookSendWork.Kind, work.QuestionId, work.Address,
            digest => db.Enqueue($"{OutlookDigestWork.Kind}:{digest.Id:D}", new OutlookDigestWork(digest.Id), time.GetUtcNow()), ct, ClaimMode.Gather);
        if (plan is not { Kind: DeliveryPlanKind.InDigest, DigestId: { } digestId }) return false;

        var digest = await db.Digests.AsNoTracking().Include(d => d.Items).SingleAsync(d => d.Id == digestId, ct);
        var keys = digest.Items.Where(i => i.QuestionId != work.QuestionId)
            .Select(i => $"{OutlookSendWork.Kind}:{i.QuestionId:D}:{work.Address.ToLowerInvariant()}").ToList();
        var others = await db.WorkItems.Where(w => keys.Contains(w.DedupeKey) && w.Status == WorkStatus.Pending).ToListAsync(ct);
        await pool.HandOverAsync([work.DeliveryId, .. others.Select(o => o.ReadPayload<OutlookSendWork>().DeliveryId)], digest.DeliveryId, ct);
        // Their work finds them in the digest and ends now rather than at the slots they had.
        var now = time.GetUtcNow();
        foreach (var other in others.Where(o => o.LeaseUntil is null || o.LeaseUntil < now)) other.DueAt = now;
        await db.SaveChangesAsync(ct);
        Log.Gathered(logger, work.QuestionId, digest.Id, digest.Items.Count);
        return true;
    }

    /// <summary>
    /// When the sending budget puts an e-mail further out than <see cref="DeliveryOptions.TeamsAfter"/>, Teams would
    /// take over before the owner even has it: the owner is asked in Teams at once, and the e-mail keeps its slot (it
    /// goes out only if the question is still open by then). Null when the e-mail is soon enough.
    /// </summary>
    internal static string? WaitsPastTeams(MailSlot slot, DeliveryOptions delivery, TimeProvider time) =>
        delivery.Mode == DeliveryMode.EmailThenTeams && slot.At - time.GetUtcNow() > delivery.TeamsAfter
            ? $"the e-mail waits for the sending budget until {slot.At.UtcDateTime:yyyy-MM-dd HH:mm} UTC, later than Teams takes over"
            : null;

    /// <summary>High and critical incidents may use the reserved part of the day's budget, and do not queue behind ordinary mail.</summary>
    internal static bool IsUrgent(Question question) =>
        question.IncidentSeverity.Equals("High", StringComparison.OrdinalIgnoreCase) || question.IncidentSeverity.Equals("Critical", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Exchange refused the sender mailbox for its daily quota (the message was not submitted): the mailbox takes no
    /// booking until <see cref="OutlookOptions.BlockedSenderRetry"/> has passed, and the message is booked again at
    /// once, on another mailbox of the pool or, with none, when this one may be tried again. Nothing is lost.
    /// </summary>
    internal static async Task<WorkResult> BlockedAsync(SenderPool pool, string sender, Guid deliveryId, string why, OutlookOptions options,
        TimeProvider time, ILogger logger, CancellationToken ct)
    {
        var until = time.GetUtcNow() + options.BlockedSenderRetry;
        await pool.BlockAsync(sender, deliveryId, until, why, ct);
        Log.SenderBlocked(logger, sender, until, why);
        return WorkResult.NotSent(time.GetUtcNow(), $"{sender} cannot send ({why}); booked again");
    }

    private async Task<WorkResult> SentAsync(Question question, Recipient recipient, OutlookSendWork work, CancellationToken ct)
    {
        var marker = $"(delivery {work.DeliveryId:D})";
        if (!await db.Timeline.AnyAsync(t => t.QuestionId == question.Id && t.Kind == OutlookTimeline.DeliverySent && t.Message.EndsWith(marker), ct))
        {
            timeline.Record(question, OutlookTimeline.DeliverySent, QuestionService.Actor,
                $"{(work.Reminder > 0 ? $"Reminder {work.Reminder}" : "Question")} e-mailed to {recipient.Display} {marker}", time.GetUtcNow(),
                commentId: work.DeliveryId);
            await db.SaveChangesAsync(ct);
        }
        Log.Sent(logger, question.Id, work.DeliveryId);
        return WorkResult.Done;
    }

    private async Task FailedAsync(Question question, Recipient recipient, string why, CancellationToken ct)
    {
        timeline.Record(question, OutlookTimeline.DeliveryFailed, QuestionService.Actor,
            $"The question could not be e-mailed to {recipient.Display}: {why}.", time.GetUtcNow());
        // E-mail failed for good: the owner is asked in Teams at once (unless the delivery mode is e-mail only).
        await fallback.AskAsync(question, recipient, "the e-mail could not be sent", ct);
        await db.SaveChangesAsync(ct);
        Log.Failed(logger, question.Id, why);
    }

    internal enum EarlierSend { None, NotSent, Sent, TooSoon }

    /// <summary>
    /// Whether an earlier attempt of this work may have reached Graph (its start is recorded before every sendMail and
    /// survives crashes, failures and hand-backs on shutdown) and, if so, whether its message is in the sender's Sent
    /// Items. Looking sooner than <see cref="OutlookOptions.UncertainSendRecheckDelay"/> after that start could miss a
    /// copy Exchange has not saved yet, so that is <see cref="EarlierSend.TooSoon"/>.
    /// </summary>
    internal static async Task<EarlierSend> EarlierAttemptAsync(WorkItem item, OutlookMailer mailer, string sender, Guid deliveryId,
        OutlookOptions options, TimeProvider time, CancellationToken ct)
    {
        if (item.EffectStartedAt is not { } started) return EarlierSend.None;
        if (started + options.UncertainSendRecheckDelay > time.GetUtcNow()) return EarlierSend.TooSoon;
        return await mailer.WasSentAsync(sender, deliveryId, ct) ? EarlierSend.Sent : EarlierSend.NotSent;
    }

    /// <summary>How one sendMail went: sent, to be retried (refused with 429, or outcome unknown), or refused for good.</summary>
    internal abstract record SendAttempt
    {
        public sealed record Sent : SendAttempt;
        /// <summary>Exchange refused the sender mailbox for its sending quota: nothing was submitted; the mailbox cannot send for now.</summary>
        public sealed record SenderBlocked(string Why) : SendAttempt;
        /// <summary>
        /// To be tried again, however long it takes: the e-mail is never given up for a refusal that lasts (Teams
        /// still asks after <see cref="DeliveryOptions.TeamsAfter"/>). A 429 spends no attempt (Graph refused it, so
        /// nothing was sent); an unknown outcome is a transient failure of the durable policy.
        /// </summary>
        /// <param name="NotSent">True when Graph refused the message (429): this attempt certainly sent nothing.</param>
        public sealed record Later(DateTimeOffset At, string Reason, bool NotSent = false) : SendAttempt
        {
            public WorkResult Result => NotSent ? WorkResult.NotSent(At, Reason) : WorkResult.Later(At, Reason);
        }
        public sealed record Refused(string Why, string Summary) : SendAttempt;
    }

    /// <summary>
    /// One sendMail. 429: refused, so certainly not sent: retry when Graph says. Other 4xx: refused for good. 5xx or no
    /// answer: Graph may have sent it; retry after <see cref="OutlookOptions.UncertainSendRecheckDelay"/>, and the
    /// retry looks in Sent Items first.
    /// </summary>
    internal static async Task<SendAttempt> TrySendAsync(OutlookMailer mailer, string sender, OutgoingMail mail, Guid deliveryId,
        OutlookOptions options, TimeProvider time, CancellationToken ct)
    {
        try
        {
            await mailer.SendAsync(sender, mail, deliveryId, ct);
            return new SendAttempt.Sent();
        }
        catch (ODataError error) when (error.ResponseStatusCode == (int)HttpStatusCode.TooManyRequests)
        {
            return new SendAttempt.Later(time.GetUtcNow() + RetryAfter(error, time.GetUtcNow()), "Graph throttled sendMail (429)", NotSent: true);
        }
        catch (ODataError error) when (IsQuotaRefusal(error))
        {
            return new SendAttempt.SenderBlocked($"{error.ResponseStatusCode} {error.Error?.Code}: {error.Error?.Message}");
        }
        catch (ODataError error) when (error.ResponseStatusCode is >= 400 and < 500)
        {
            var code = error.Error?.Code ?? error.ResponseStatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return new SendAttempt.Refused($"Graph refused the message ({error.ResponseStatusCode} {code}: {error.Error?.Message})", $"sendMail {error.ResponseStatusCode} {code}");
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            var status = ex is ODataError o ? o.ResponseStatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture) : ex.GetType().Name;
            return new SendAttempt.Later(time.GetUtcNow() + options.UncertainSendRecheckDelay, $"sendMail outcome unknown ({status})");
        }
    }

    /// <summary>
    /// Exchange's refusal of a mailbox that has spent its sending quota (the 24 h recipient limit, or a mailbox put on
    /// the restricted list): <c>ErrorSubmissionQuotaExceeded</c> / <c>SubmissionQuotaExceededException</c>, or the
    /// 5.1.90 / 5.1.8 non-delivery codes in the message (as whole codes: 5.1.80 or 15.1.8 is something else).
    /// </summary>
    internal static bool IsQuotaRefusal(ODataError error) =>
        error.ResponseStatusCode is 403 or 400 &&
        ((error.Error?.Code ?? "").Contains("QuotaExceeded", StringComparison.OrdinalIgnoreCase)
         || (error.Error?.Message ?? "") is var m && (m.Contains("SubmissionQuotaExceeded", StringComparison.OrdinalIgnoreCase)
                                                     || QuotaStatusCode().IsMatch(m)));

    [System.Text.RegularExpressions.GeneratedRegex(@"(?<![\d.])5\.1\.(?:8|90)(?![\d.]*\d)")]
    private static partial System.Text.RegularExpressions.Regex QuotaStatusCode();

    /// <summary>Graph's Retry-After (seconds, or an HTTP date read against the service's clock), kept between 1 s and an hour; 30 s without one.</summary>
    internal static TimeSpan RetryAfter(ODataError error, DateTimeOffset now) =>
        DurableRetry.RetryAfter(error.ResponseHeaders, now) is { } wait
            ? TimeSpan.FromSeconds(Math.Clamp(wait.TotalSeconds, 1, 3600))
            : TimeSpan.FromSeconds(30);

    private static partial class Log
    {
        [LoggerMessage(EventId = 2021, Level = LogLevel.Information, Message = "Question {QuestionId} e-mailed (delivery {DeliveryId})")]
        public static partial void Sent(ILogger logger, Guid questionId, Guid deliveryId);

        [LoggerMessage(EventId = 2022, Level = LogLevel.Information, Message = "Question {QuestionId}: delivery {DeliveryId} was already in Sent Items; not sent again")]
        public static partial void FoundInSentItems(ILogger logger, Guid questionId, Guid deliveryId);

        [LoggerMessage(EventId = 2023, Level = LogLevel.Warning, Message = "Question {QuestionId}: e-mail not sent yet ({Reason}); next attempt at {At}")]
        public static partial void WillRetry(ILogger logger, Guid questionId, string reason, DateTimeOffset at);

        [LoggerMessage(EventId = 2024, Level = LogLevel.Error, Message = "Question {QuestionId}: e-mail failed: {Reason}")]
        public static partial void Failed(ILogger logger, Guid questionId, string reason);

        [LoggerMessage(EventId = 2025, Level = LogLevel.Error, Message = "Sender mailbox {Sender} cannot send ({Reason}): no mail is booked on it before {Until}")]
        public static partial void SenderBlocked(ILogger logger, string sender, DateTimeOffset until, string reason);

        [LoggerMessage(EventId = 2026, Level = LogLevel.Information, Message = "Question {QuestionId}: the sending budget is short; gathered with the owner's waiting questions into digest {DigestId} ({Count} question(s))")]
        public static partial void Gathered(ILogger logger, Guid questionId, Guid digestId, int count);
    }
}
