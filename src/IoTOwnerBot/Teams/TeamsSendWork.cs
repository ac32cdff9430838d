using System.Net;
using IoTOwnerBot.Digests;
using IoTOwnerBot.Hosting;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Persistence;
using IoTOwnerBot.Questions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Teams;

/// <summary>Durable work: send the question card to one owner's 1:1 chat (installing the app first when needed).</summary>
public sealed record TeamsSendWork(Guid QuestionId, string ObjectId, string Reason) : IWork
{
    public static string Kind => "teams.send";
    public static string Key(Guid questionId, string objectId) => $"{Kind}:{questionId:D}:{objectId.ToLowerInvariant()}";
}

/// <summary>
/// Sends a question card to one owner. Finds the owner's stored conversation reference or creates the 1:1
/// conversation; a 403 (app not installed) installs the app through Graph first. Once sent, the activity id is
/// stored so the card can be updated. Re-runs skip what is done: the conversation is reused, a stored activity id
/// means sent. The Bot Connector has no idempotency key, so every post is recorded as started before it is made
/// (<see cref="WorkItem.EffectStartedAt"/>) and posted once (no retry in place after a 5xx or a timeout); an attempt
/// that finds such a record reads the owner's chat for the card's marker first (<see cref="TeamsChatReader"/>) and
/// posts only when it is not there. Where the chat cannot be read (Graph permission missing), the owner who can only
/// be reached in Teams gets the card again, at the risk of a second copy; an owner who was asked by e-mail does not.
/// With digests on, it first asks <see cref="DigestPlanner"/> whether the owner has other questions waiting in Teams:
/// then they all go out in one digest card, sent by this handler's <c>teams.digest</c> work.
/// </summary>
public sealed partial class TeamsSendWorkHandler(
    BotDbContext db,
    DigestPlanner planner,
    DigestAnswers digests,
    BotConnectorClient connector,
    TeamsAppInstaller installer,
    TeamsChatReader chats,
    TeamsCards cards,
    QuestionTimeline timeline,
    IOptionsMonitor<BotOptions> bot,
    IOptionsMonitor<DeliveryOptions> delivery,
    IOptions<CredentialOptions> credentials,
    IOptions<JobOptions> jobs,
    RetryBackoff backoff,
    TimeProvider time,
    ILogger<TeamsSendWorkHandler> logger) : IWorkHandler
{
    public async Task<WorkResult> RunAsync(WorkItem item, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(item);
        var work = item.ReadPayload<TeamsSendWork>();
        var plan = await planner.ClaimAsync(TeamsExtensions.Channel, TeamsSendWork.Kind, work.QuestionId, work.ObjectId,
            digest => db.Enqueue($"{TeamsDigestWork.Kind}:{digest.Id:D}", new TeamsDigestWork(digest.Id), time.GetUtcNow()), ct);
        if (plan.Kind is DeliveryPlanKind.InDigest or DeliveryPlanKind.NotOpen) return WorkResult.Done;

        var question = await db.Questions.WithOwnersAndDevices().SingleOrDefaultAsync(q => q.Id == work.QuestionId, ct);
        if (question is null) return WorkResult.Fail($"Question {work.QuestionId} does not exist.");
        var recipient = question.Recipients.FirstOrDefault(r => string.Equals(r.ObjectId, work.ObjectId, StringComparison.OrdinalIgnoreCase));
        if (recipient is null) return WorkResult.Fail($"Question {work.QuestionId} has no recipient {work.ObjectId}.");

        var message = await db.TeamsMessages.SingleOrDefaultAsync(m => m.QuestionId == question.Id && m.RecipientObjectId == work.ObjectId, ct);
        if (message?.ActivityId is not null) return WorkResult.Done;
        if (message is not null && item.EffectStartedAt is not null)
        {
            switch (await EarlierPostAsync(item, work.ObjectId, message.CardToken, ct))
            {
                case EarlierPost.Posted posted:
                    Log.FoundInChat(logger, question.Id, posted.ActivityId);
                    return await SentAsync(question, recipient, message, posted.ActivityId, $"{work.Reason}; found in the chat after an attempt whose outcome was unknown", ct);
                case EarlierPost.Wait wait:
                    return WorkResult.RetryAt(wait.At, wait.Reason);
                case EarlierPost.Unknown unknown when question.IsOpen:
                    if (!await ReachableOnlyInTeamsAsync(question, recipient, ct))
                    {
                        timeline.Record(question, TeamsTimeline.Uncertain, QuestionService.Actor,
                            $"Teams cannot tell whether the question card reached {recipient.Display} ({unknown.Reason}); it is not sent again, because they were asked by e-mail.", time.GetUtcNow());
                        await db.SaveChangesAsync(ct);
                        return WorkResult.Done;
                    }
                    timeline.Record(question, TeamsTimeline.Uncertain, QuestionService.Actor,
                        $"Teams cannot tell whether the question card reached {recipient.Display} ({unknown.Reason}); it is sent again, because Teams is the only way to reach them, so it may appear twice in their chat.", time.GetUtcNow());
                    await db.SaveChangesAsync(ct);
                    break;
            }
        }
        if (!question.IsOpen) return WorkResult.Done;

        var tenant = bot.CurrentValue.EffectiveTenantId(credentials.Value) ?? LocalDefaults.TenantId;
        try
        {
            var conversation = await ConversationAsync(question, recipient, tenant, ct);
            if (conversation is null)
                return WorkResult.RetryAt(time.GetUtcNow() + TimeSpan.FromSeconds(5), "Teams app was just installed; the conversation is not available yet");

            message ??= db.TeamsMessages.Add(new TeamsMessage
            {
                QuestionId = question.Id, RecipientObjectId = work.ObjectId, ServiceUrl = conversation.ServiceUrl,
                ConversationId = conversation.ConversationId, CardToken = Guid.NewGuid().ToString("N"), ShowsState = QuestionCards.StateName(QuestionState.Open),
            }).Entity;
            await db.SaveChangesAsync(ct);

            var card = cards.Current(question, recipient, conversation.TeamsUserId, message.CardToken);
            var activityId = await PostOnceAsync(item, conversation.ServiceUrl, conversation.ConversationId, OutgoingActivity.Card(card.Content), ct);
            if (activityId is null) return WorkResult.RetryAt(time.GetUtcNow(), "another worker took the Teams card over");
            return await SentAsync(question, recipient, message, activityId, work.Reason, ct);
        }
        catch (ConnectorException ex) when (ex.IsTransient)
        {
            return await RetryAsync(item, question, recipient, backoff.Next(item.Attempts, ex.RetryAfter), ex.Summary, ct);
        }
        catch (ConnectorException ex)
        {
            var why = ex.IsBlocked ? "the user blocked the bot" : ex.IsNotInstalled ? "the Teams app is not installed for them and could not be installed" : ex.Summary;
            await FailedAsync(question, recipient, why, ct);
            return WorkResult.Fail(ex.Summary);
        }
        catch (TeamsInstallException ex)
        {
            await FailedAsync(question, recipient, ex.Message, ct);
            return WorkResult.Fail(ex.Message);
        }
    }

    /// <summary>Sends a digest card: the owner's waiting questions in one message, stored on the digest for updates.</summary>
    /// <summary><c>teams.digest</c> (<see cref="TeamsDigestWorkHandler"/>): the owner's digest card, posted once, like a single card.</summary>
    internal async Task<WorkResult> RunDigestAsync(WorkItem item, CancellationToken ct)
    {
        var work = item.ReadPayload<TeamsDigestWork>();
        var view = await digests.LoadAsync(work.DigestId, ct);
        if (view is null) return WorkResult.Fail($"Digest {work.DigestId} does not exist.");
        if (view.Digest.ActivityId is not null) return WorkResult.Done;
        if (view.Recipient is not { ObjectId: not null } recipient) return WorkResult.Fail($"Digest {work.DigestId} has no recipient known to the directory.");
        var tenant = bot.CurrentValue.EffectiveTenantId(credentials.Value) ?? LocalDefaults.TenantId;
        var first = await db.Questions.WithRecipients().SingleAsync(q => q.Id == view.Questions[0].Id, ct);
        if (item.EffectStartedAt is not null)
        {
            switch (await EarlierPostAsync(item, recipient.ObjectId, work.DigestId.ToString("D"), ct))
            {
                case EarlierPost.Posted posted:
                    Log.FoundInChat(logger, work.DigestId, posted.ActivityId);
                    return await DigestSentAsync(view, recipient, null, posted.ActivityId, ct);
                case EarlierPost.Wait wait:
                    return WorkResult.RetryAt(wait.At, wait.Reason);
                case EarlierPost.Unknown unknown when view.OpenCount > 0:
                    var only = await ReachableOnlyInTeamsAsync(first, first.Recipients.FirstOrDefault(r => r.ObjectId == recipient.ObjectId) ?? recipient, ct);
                    var open = view.Questions.Where(q => q.IsOpen).Select(q => q.Id).ToList();
                    foreach (var question in await db.Questions.Where(q => open.Contains(q.Id)).ToListAsync(ct))
                        timeline.Record(question, TeamsTimeline.Uncertain, QuestionService.Actor, only
                            ? $"Teams cannot tell whether the digest card reached {recipient.Display} ({unknown.Reason}); it is sent again, because Teams is the only way to reach them, so it may appear twice in their chat."
                            : $"Teams cannot tell whether the digest card reached {recipient.Display} ({unknown.Reason}); it is not sent again, because they were asked by e-mail.", time.GetUtcNow());
                    await db.SaveChangesAsync(ct);
                    if (!only) return WorkResult.Done;
                    break;
            }
        }
        if (view.OpenCount == 0) return WorkResult.Done;
        try
        {
            var conversation = await ConversationAsync(first, recipient, tenant, ct);
            if (conversation is null)
                return WorkResult.RetryAt(time.GetUtcNow() + TimeSpan.FromSeconds(5), "Teams app was just installed; the conversation is not available yet");

            var digest = await db.Digests.SingleAsync(d => d.Id == work.DigestId, ct);
            if (digest.CardVersions.Count == 0) digest.CardVersions = cards.CurrentVersions();
            view = view with { Digest = digest };
            var card = cards.Digest(view, recipient, conversation.TeamsUserId);
            // The versions the card was rendered with are kept before it is posted.
            await db.SaveChangesAsync(ct);
            var activityId = await PostOnceAsync(item, conversation.ServiceUrl, conversation.ConversationId, OutgoingActivity.Card(card.Content), ct);
            if (activityId is null) return WorkResult.RetryAt(time.GetUtcNow(), "another worker took the digest card over");
            return await DigestSentAsync(view, recipient, conversation, activityId, ct);
        }
        catch (ConnectorException ex) when (ex.IsTransient && item.Attempts < jobs.Value.MaxAttempts)
        {
            return WorkResult.RetryAt(backoff.Next(item.Attempts, ex.RetryAfter), ex.Summary);
        }
        catch (Exception ex) when (ex is ConnectorException or TeamsInstallException)
        {
            var why = ex is ConnectorException { IsBlocked: true } ? "the user blocked the bot" : ex.Message;
            var open = view.Questions.Where(q => q.IsOpen).Select(q => q.Id).ToList();
            foreach (var question in await db.Questions.Where(q => open.Contains(q.Id)).ToListAsync(ct))
                timeline.Record(question, TeamsTimeline.Failed, QuestionService.Actor,
                    $"The question could not be sent to {recipient.Display} in Teams (digest {work.DigestId:D}): {why}.", time.GetUtcNow());
            await db.SaveChangesAsync(ct);
            Log.DigestFailed(logger, work.DigestId, why);
            return WorkResult.Fail(why);
        }
    }

    /// <summary>Records a posted (or found) digest card on the digest and each question's timeline.</summary>
    private async Task<WorkResult> DigestSentAsync(DigestView view, Recipient recipient, TeamsConversation? conversation, string activityId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var digest = await db.Digests.SingleAsync(d => d.Id == view.Digest.Id, ct);
        conversation ??= await db.TeamsConversations.FirstOrDefaultAsync(c => c.UserObjectId == recipient.ObjectId, ct);
        digest.ServiceUrl = conversation?.ServiceUrl ?? bot.CurrentValue.ServiceUrl;
        digest.ConversationId = conversation?.ConversationId;
        digest.ActivityId = activityId;
        digest.SentAt = now;
        // What the card showed when it was posted is not known for a found card: the update work compares and sends.
        digest.ShowsState = conversation is null ? null : DigestCardModel.StateOf(view);
        var ids = view.Questions.Select(q => q.Id).ToList();
        foreach (var question in await db.Questions.Where(q => ids.Contains(q.Id)).ToListAsync(ct))
            timeline.Record(question, TeamsTimeline.Sent, QuestionService.Actor,
                $"Question sent to {recipient.Display} in a Teams chat, in one digest with {ids.Count - 1} other incident(s).", now);
        // Decided while we were sending: the card must show it.
        db.Enqueue($"{TeamsDigestUpdateWork.Kind}:{digest.Id:D}:after-send", new TeamsDigestUpdateWork(digest.Id), now);
        await db.SaveChangesAsync(ct);
        Log.DigestSent(logger, digest.Id, ids.Count, activityId);
        return WorkResult.Done;
    }

    /// <summary>Records a posted (or found) question card: its activity id, the timeline, and an update if the question was decided meanwhile.</summary>
    private async Task<WorkResult> SentAsync(Question question, Recipient recipient, TeamsMessage message, string activityId, string reason, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        message.ActivityId = activityId;
        message.SentAt = now;
        message.ShowsState = QuestionCards.StateName(QuestionState.Open);
        timeline.Record(question, TeamsTimeline.Sent, QuestionService.Actor,
            $"Question sent to {recipient.Display} in a Teams chat ({reason}).", now);
        // Answered while we were sending: the card must show the outcome too.
        var current = await db.Questions.AsNoTracking().Where(q => q.Id == question.Id).Select(q => q.State).SingleAsync(ct);
        if (current != QuestionState.Open)
            db.Enqueue($"{TeamsUpdateWork.Kind}:{question.Id:D}:after-send:{message.RecipientObjectId}", new TeamsUpdateWork(question.Id), now, question.Id);
        await db.SaveChangesAsync(ct);
        Log.Sent(logger, question.Id, activityId);
        return WorkResult.Done;
    }

    /// <summary>
    /// Posts once, with the start recorded before the call (null: the claim is no longer ours, nothing was posted). A
    /// refusal (4xx) says nothing was posted, so only an earlier attempt's uncertainty remains.
    /// </summary>
    private async Task<string?> PostOnceAsync(WorkItem item, string serviceUrl, string conversationId, OutgoingActivity activity, CancellationToken ct)
    {
        var before = item.EffectStartedAt;
        if (!await db.BeginEffectAsync(item, time.GetUtcNow(), ct)) return null;
        try
        {
            return await connector.SendAtMostOnceAsync(serviceUrl, conversationId, activity, ct);
        }
        catch (ConnectorException ex) when ((int)ex.Status < 500 && ex.Status != HttpStatusCode.RequestTimeout)
        {
            await db.RestoreEffectAsync(item, before, CancellationToken.None);
            throw;
        }
    }

    internal abstract record EarlierPost
    {
        public sealed record Posted(string ActivityId) : EarlierPost;
        public sealed record NotPosted : EarlierPost;
        public sealed record Wait(DateTimeOffset At, string Reason) : EarlierPost;
        public sealed record Unknown(string Reason) : EarlierPost;
    }

    /// <summary>
    /// An earlier attempt may have posted (its start is recorded): is its card in the owner's chat? Read no sooner than
    /// <see cref="BotOptions.UncertainPostRecheckDelay"/> after that start, back to a while before the work was due.
    /// A read that keeps failing until the last attempt counts as unknown.
    /// </summary>
    private async Task<EarlierPost> EarlierPostAsync(WorkItem item, string objectId, string marker, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var recheck = item.EffectStartedAt!.Value + bot.CurrentValue.UncertainPostRecheckDelay;
        if (recheck > now) return new EarlierPost.Wait(recheck, "an earlier post may not show in the chat yet");
        switch (await chats.FindPostAsync(objectId, marker, item.CreatedAt - ClockSkew, ct))
        {
            case ChatLookup.Found found:
                return new EarlierPost.Posted(found.ActivityId);
            case ChatLookup.Later later when item.Attempts < jobs.Value.MaxAttempts:
                return new EarlierPost.Wait(backoff.Next(item.Attempts, later.RetryAfter), later.Reason);
            case ChatLookup.Later later:
                return new EarlierPost.Unknown(later.Reason);
            case ChatLookup.CannotTell cannot:
                Log.CannotTell(logger, objectId, cannot.Reason);
                return new EarlierPost.Unknown(cannot.Reason);
            default:
                return new EarlierPost.NotPosted();
        }
    }

    /// <summary>How far Graph's clock may be behind ours when we read the chat back to the work's start.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>
    /// True when Teams is the only way this owner is asked: Delivery:Mode TeamsOnly, no mailbox, or no e-mail of the
    /// question was delivered to them (it failed, or was never sent).
    /// </summary>
    private async Task<bool> ReachableOnlyInTeamsAsync(Question question, Recipient recipient, CancellationToken ct)
    {
        if (delivery.CurrentValue.Mode == DeliveryMode.TeamsOnly || recipient.Mail is not { Length: > 0 }) return true;
        var display = recipient.Display;
        return !await db.Timeline.AnyAsync(t => t.QuestionId == question.Id
            && (t.Kind == Outlook.OutlookTimeline.DeliverySent || t.Kind == Outlook.OutlookTimeline.DeliverySentInDigest)
            && t.Message.Contains(display), ct);
    }

    /// <summary>The stored conversation, or a new one; null when the app was just installed and Teams is not ready yet.</summary>
    private async Task<TeamsConversation?> ConversationAsync(Question question, Recipient recipient, string tenant, CancellationToken ct)
    {
        var oid = recipient.ObjectId!;
        var stored = await db.TeamsConversations.SingleOrDefaultAsync(c => c.TenantId == tenant && c.UserObjectId == oid, ct);
        if (stored is not null) return stored;

        var serviceUrl = bot.CurrentValue.ServiceUrl;
        string conversationId;
        try
        {
            conversationId = await connector.CreateConversationAsync(serviceUrl, oid, tenant, ct);
        }
        catch (ConnectorException ex) when (ex.IsNotInstalled)
        {
            Log.NotInstalled(logger, question.Id, ex.Summary);
            if (await installer.EnsureInstalledAsync(oid, ct))
            {
                timeline.Record(question, TeamsTimeline.AppInstalled, QuestionService.Actor,
                    $"The IoTOwnerBot Teams app was installed for {recipient.Display}, so the bot can chat with them.", time.GetUtcNow());
                await db.SaveChangesAsync(ct);
            }
            try
            {
                conversationId = await connector.CreateConversationAsync(serviceUrl, oid, tenant, ct);
            }
            catch (ConnectorException again) when (again.IsNotInstalled)
            {
                return null;
            }
        }

        var member = await connector.FirstMemberAsync(serviceUrl, conversationId, ct);
        var conversation = new TeamsConversation
        {
            TenantId = tenant, UserObjectId = oid, ServiceUrl = serviceUrl, ConversationId = conversationId,
            TeamsUserId = member?.Id, UpdatedAt = time.GetUtcNow(),
        };
        db.TeamsConversations.Add(conversation);
        try
        {
            await db.SaveChangesAsync(ct);
            return conversation;
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            // The user's own activity stored a reference meanwhile: it is the fresher one.
            db.Entry(conversation).State = EntityState.Detached;
            return await db.TeamsConversations.SingleAsync(c => c.TenantId == tenant && c.UserObjectId == oid, ct);
        }
    }

    private async Task<WorkResult> RetryAsync(WorkItem item, Question question, Recipient recipient, DateTimeOffset at, string reason, CancellationToken ct)
    {
        if (item.Attempts < jobs.Value.MaxAttempts) return WorkResult.RetryAt(at, reason);
        await FailedAsync(question, recipient, $"Teams did not accept the message after {item.Attempts} attempts ({reason})", ct);
        return WorkResult.Fail(reason);
    }

    private async Task FailedAsync(Question question, Recipient recipient, string why, CancellationToken ct)
    {
        timeline.Record(question, TeamsTimeline.Failed, QuestionService.Actor,
            $"The question could not be sent to {recipient.Display} in Teams: {why}.", time.GetUtcNow());
        await db.SaveChangesAsync(ct);
        Log.Failed(logger, question.Id, why);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "Question {QuestionId} sent in Teams (activity {ActivityId})")]
        public static partial void Sent(ILogger logger, Guid questionId, string activityId);

        [LoggerMessage(EventId = 2202, Level = LogLevel.Information, Message = "Question {QuestionId}: Teams app not installed for the owner ({Detail}); installing it")]
        public static partial void NotInstalled(ILogger logger, Guid questionId, string detail);

        [LoggerMessage(EventId = 2205, Level = LogLevel.Error, Message = "Digest {DigestId}: Teams delivery failed: {Reason}")]
        public static partial void DigestFailed(ILogger logger, Guid digestId, string reason);

        [LoggerMessage(EventId = 2204, Level = LogLevel.Information, Message = "Digest {DigestId} of {Count} question(s) sent in Teams (activity {ActivityId})")]
        public static partial void DigestSent(ILogger logger, Guid digestId, int count, string activityId);

        [LoggerMessage(EventId = 2203, Level = LogLevel.Error, Message = "Question {QuestionId}: Teams delivery failed: {Reason}")]
        public static partial void Failed(ILogger logger, Guid questionId, string reason);

        [LoggerMessage(EventId = 2206, Level = LogLevel.Information, Message = "{Id}: the card of an attempt whose outcome was unknown is in the chat (activity {ActivityId}); not posted again")]
        public static partial void FoundInChat(ILogger logger, Guid id, string activityId);

        [LoggerMessage(EventId = 2207, Level = LogLevel.Warning, Message = "Owner {ObjectId}: whether an earlier Teams post landed cannot be told: {Reason}")]
        public static partial void CannotTell(ILogger logger, string objectId, string reason);
    }
}
