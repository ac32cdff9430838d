using System.Net;
using IoTOwnerBot.Digests;
using IoTOwnerBot.Hosting;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Persistence;
using IoTOwnerBot.Questions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Teams;

/// <summary>
/// Sends a question card to one owner. Finds the owner's stored conversation reference or creates the 1:1
/// conversation; a 403 (app not installed) installs the app through Graph first. Once sent, the activity id is
/// stored so the card can be updated. Re-runs skip what is done: the conversation is reused, a stored activity id
/// means sent. (The Bot Connector cannot look a message up, so a crash between its answer and our save can repeat
/// one send: the same card twice in the chat, never two answers.) With digests on, it first asks
/// <see cref="DigestPlanner"/> whether the owner has other questions waiting in Teams: then they all go out in one
/// digest card, sent by this handler's <c>teams.digest</c> work.
/// </summary>
public sealed partial class TeamsSendWorkHandler(
    BotDbContext db,
    DigestPlanner planner,
    DigestAnswers digests,
    BotConnectorClient connector,
    TeamsAppInstaller installer,
    TeamsCards cards,
    QuestionService questions,
    IOptionsMonitor<BotOptions> bot,
    IOptions<CredentialOptions> credentials,
    IOptions<JobOptions> jobs,
    TimeProvider time,
    ILogger<TeamsSendWorkHandler> logger) : IWorkHandler
{
    public string Kind => TeamsSendWork.Kind;

    public async Task<WorkResult> RunAsync(WorkItem item, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.Kind == TeamsDigestWork.Kind) return await RunDigestAsync(item, ct);
        var work = item.ReadPayload<TeamsSendWork>();
        var plan = await planner.ClaimAsync(TeamsExtensions.Channel, TeamsSendWork.Kind, work.QuestionId, work.ObjectId,
            digest => db.Enqueue(TeamsDigestWork.Kind, $"{TeamsDigestWork.Kind}:{digest.Id:D}", new TeamsDigestWork(digest.Id), time.GetUtcNow()), ct);
        if (plan.Kind is DeliveryPlanKind.InDigest or DeliveryPlanKind.NotOpen) return WorkResult.Done;

        var question = await db.Questions.Include(q => q.Recipients).Include(q => q.Devices).SingleOrDefaultAsync(q => q.Id == work.QuestionId, ct);
        if (question is null) return WorkResult.Fail($"Question {work.QuestionId} does not exist.");
        var recipient = question.Recipients.FirstOrDefault(r => string.Equals(r.ObjectId, work.ObjectId, StringComparison.OrdinalIgnoreCase));
        if (recipient is null) return WorkResult.Fail($"Question {work.QuestionId} has no recipient {work.ObjectId}.");

        var message = await db.TeamsMessages.SingleOrDefaultAsync(m => m.QuestionId == question.Id && m.RecipientObjectId == work.ObjectId, ct);
        if (message?.ActivityId is not null) return WorkResult.Done;
        if (question.State != QuestionState.Open) return WorkResult.Done;

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
            var activityId = await connector.SendAsync(conversation.ServiceUrl, conversation.ConversationId, OutgoingActivity.Card(card.Content), ct);

            var now = time.GetUtcNow();
            message.ActivityId = activityId;
            message.SentAt = now;
            message.ShowsState = QuestionCards.StateName(QuestionState.Open);
            questions.Record(question, TeamsTimeline.Sent, QuestionService.Actor,
                $"Question sent to {recipient.Display} in a Teams chat ({work.Reason}).", mirror: true, now);
            // Answered while we were sending: the card must show the outcome too.
            var current = await db.Questions.AsNoTracking().Where(q => q.Id == question.Id).Select(q => q.State).SingleAsync(ct);
            if (current != QuestionState.Open)
                db.Enqueue(TeamsUpdateWork.Kind, $"{TeamsUpdateWork.Kind}:{question.Id:D}:after-send:{work.ObjectId}", new TeamsUpdateWork(question.Id), now, question.Id);
            await db.SaveChangesAsync(ct);
            Log.Sent(logger, question.Id, activityId);
            return WorkResult.Done;
        }
        catch (ConnectorException ex) when (ex.IsTransient)
        {
            return await RetryAsync(item, question, recipient, time.GetUtcNow() + (ex.RetryAfter ?? TimeSpan.FromSeconds(30)), ex.Summary, ct);
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
    private async Task<WorkResult> RunDigestAsync(WorkItem item, CancellationToken ct)
    {
        var work = item.ReadPayload<TeamsDigestWork>();
        var view = await digests.LoadAsync(work.DigestId, ct);
        if (view is null) return WorkResult.Fail($"Digest {work.DigestId} does not exist.");
        if (view.Digest.ActivityId is not null || view.OpenCount == 0) return WorkResult.Done;
        if (view.Recipient is not { ObjectId: not null } recipient) return WorkResult.Fail($"Digest {work.DigestId} has no recipient known to the directory.");
        var tenant = bot.CurrentValue.EffectiveTenantId(credentials.Value) ?? LocalDefaults.TenantId;
        var first = await db.Questions.Include(q => q.Recipients).SingleAsync(q => q.Id == view.Questions[0].Id, ct);
        try
        {
            var conversation = await ConversationAsync(first, recipient, tenant, ct);
            if (conversation is null)
                return WorkResult.RetryAt(time.GetUtcNow() + TimeSpan.FromSeconds(5), "Teams app was just installed; the conversation is not available yet");

            var digest = await db.Digests.SingleAsync(d => d.Id == work.DigestId, ct);
            if (digest.CardVersions.Count == 0) digest.CardVersions = cards.CurrentVersions();
            view = view with { Digest = digest };
            var card = cards.Digest(view, recipient, conversation.TeamsUserId);
            var activityId = await connector.SendAsync(conversation.ServiceUrl, conversation.ConversationId, OutgoingActivity.Card(card.Content), ct);

            var now = time.GetUtcNow();
            digest.ServiceUrl = conversation.ServiceUrl;
            digest.ConversationId = conversation.ConversationId;
            digest.ActivityId = activityId;
            digest.SentAt = now;
            digest.ShowsState = DigestCardModel.StateOf(view);
            var ids = view.Questions.Select(q => q.Id).ToList();
            foreach (var question in await db.Questions.Where(q => ids.Contains(q.Id)).ToListAsync(ct))
                questions.Record(question, TeamsTimeline.Sent, QuestionService.Actor,
                    $"Question sent to {recipient.Display} in a Teams chat, in one digest with {ids.Count - 1} other incident(s).", mirror: true, now);
            // Decided while we were sending: the card must show it.
            db.Enqueue(TeamsDigestUpdateWork.Kind, $"{TeamsDigestUpdateWork.Kind}:{digest.Id:D}:after-send", new TeamsDigestUpdateWork(digest.Id), now);
            await db.SaveChangesAsync(ct);
            Log.DigestSent(logger, digest.Id, ids.Count, activityId);
            return WorkResult.Done;
        }
        catch (ConnectorException ex) when (ex.IsTransient && item.Attempts < jobs.Value.MaxAttempts)
        {
            return WorkResult.RetryAt(time.GetUtcNow() + (ex.RetryAfter ?? TimeSpan.FromSeconds(30)), ex.Summary);
        }
        catch (Exception ex) when (ex is ConnectorException or TeamsInstallException)
        {
            var why = ex is ConnectorException { IsBlocked: true } ? "the user blocked the bot" : ex.Message;
            var open = view.Questions.Where(q => q.State == QuestionState.Open).Select(q => q.Id).ToList();
            foreach (var question in await db.Questions.Where(q => open.Contains(q.Id)).ToListAsync(ct))
                questions.Record(question, TeamsTimeline.Failed, QuestionService.Actor,
                    $"The question could not be sent to {recipient.Display} in Teams (digest {work.DigestId:D}): {why}.", mirror: true, time.GetUtcNow());
            await db.SaveChangesAsync(ct);
            Log.DigestFailed(logger, work.DigestId, why);
            return WorkResult.Fail(why);
        }
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
                questions.Record(question, TeamsTimeline.AppInstalled, QuestionService.Actor,
                    $"The IoTOwnerBot Teams app was installed for {recipient.Display}, so the bot can chat with them.", mirror: false, time.GetUtcNow());
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
        questions.Record(question, TeamsTimeline.Failed, QuestionService.Actor,
            $"The question could not be sent to {recipient.Display} in Teams: {why}.", mirror: true, time.GetUtcNow());
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
    }
}

/// <summary>Asks in Teams when the e-mail has gone unanswered for Delivery:TeamsAfter.</summary>
public sealed class TeamsFallbackWorkHandler(BotDbContext db, TeamsFallback fallback, IOptionsMonitor<DeliveryOptions> delivery) : IWorkHandler
{
    public string Kind => TeamsFallbackWork.Kind;

    public async Task<WorkResult> RunAsync(WorkItem item, CancellationToken ct)
    {
        var work = item.ReadPayload<TeamsFallbackWork>();
        var question = await db.Questions.Include(q => q.Recipients).SingleOrDefaultAsync(q => q.Id == work.QuestionId, ct);
        if (question is null || question.State != QuestionState.Open) return WorkResult.Done;
        var recipient = question.Recipients.FirstOrDefault(r => string.Equals(r.ObjectId, work.ObjectId, StringComparison.OrdinalIgnoreCase));
        if (recipient is null) return WorkResult.Done;
        var after = delivery.CurrentValue.TeamsAfter;
        if (await fallback.AskInTeamsAsync(question, recipient, $"no answer {Describe(after)} after the question was asked", ct))
            await db.SaveChangesAsync(ct);
        return WorkResult.Done;
    }

    private static string Describe(TimeSpan t) =>
        t.TotalMinutes >= 1 ? $"{t.TotalMinutes:0.#} minute(s)" : $"{t.TotalSeconds:0.#} second(s)";
}

/// <summary>Updates every sent Teams card of a question to its current state (PUT is idempotent).</summary>
public sealed class TeamsUpdateWorkHandler(BotDbContext db, BotConnectorClient connector, TeamsCards cards, QuestionService questions, TimeProvider time) : IWorkHandler
{
    public string Kind => TeamsUpdateWork.Kind;

    public async Task<WorkResult> RunAsync(WorkItem item, CancellationToken ct)
    {
        var work = item.ReadPayload<TeamsUpdateWork>();
        var question = await db.Questions.Include(q => q.Recipients).Include(q => q.Devices).SingleOrDefaultAsync(q => q.Id == work.QuestionId, ct);
        if (question is null) return WorkResult.Done;
        var state = QuestionCards.StateName(question.State);
        var messages = await db.TeamsMessages.Where(m => m.QuestionId == question.Id && m.ActivityId != null).ToListAsync(ct);
        foreach (var message in messages.Where(m => m.ShowsState != state))
        {
            var recipient = question.Recipients.FirstOrDefault(r => string.Equals(r.ObjectId, message.RecipientObjectId, StringComparison.OrdinalIgnoreCase));
            var teamsUserId = await db.TeamsConversations.Where(c => c.UserObjectId == message.RecipientObjectId).Select(c => c.TeamsUserId).FirstOrDefaultAsync(ct);
            var card = cards.Current(question, recipient, teamsUserId, message.CardToken);
            try
            {
                await connector.UpdateAsync(message.ServiceUrl, message.ConversationId, message.ActivityId!, OutgoingActivity.Card(card.Content), ct);
            }
            catch (ConnectorException ex) when (ex.IsTransient)
            {
                return WorkResult.RetryAt(time.GetUtcNow() + (ex.RetryAfter ?? TimeSpan.FromSeconds(30)), ex.Summary);
            }
            catch (ConnectorException ex) when (ex.Status is HttpStatusCode.NotFound or HttpStatusCode.Forbidden)
            {
                // The chat or message is gone (user removed the app): nothing left to update.
                message.ShowsState = state;
                continue;
            }
            message.ShowsState = state;
            message.UpdatedAt = time.GetUtcNow();
            questions.Record(question, TeamsTimeline.CardUpdated, QuestionService.Actor,
                $"The Teams card of {recipient?.Display ?? message.RecipientObjectId} now shows: {state}.", mirror: false, time.GetUtcNow());
            await db.SaveChangesAsync(ct);
        }
        await db.SaveChangesAsync(ct);
        return WorkResult.Done;
    }
}

/// <summary>Updates a posted digest card to its questions' current states (PUT is idempotent; unchanged cards are skipped).</summary>
public sealed class TeamsDigestUpdateWorkHandler(BotDbContext db, DigestAnswers digests, BotConnectorClient connector, TeamsCards cards, TimeProvider time) : IWorkHandler
{
    public string Kind => TeamsDigestUpdateWork.Kind;

    public async Task<WorkResult> RunAsync(WorkItem item, CancellationToken ct)
    {
        var work = item.ReadPayload<TeamsDigestUpdateWork>();
        var view = await digests.LoadAsync(work.DigestId, ct);
        if (view?.Digest is not { ActivityId: { } activityId, ServiceUrl: { } serviceUrl, ConversationId: { } conversationId }) return WorkResult.Done;
        var state = DigestCardModel.StateOf(view);
        if (view.Digest.ShowsState == state) return WorkResult.Done;
        var recipient = view.Recipient;
        var teamsUserId = await db.TeamsConversations.Where(c => c.UserObjectId == view.Digest.RecipientKey).Select(c => c.TeamsUserId).FirstOrDefaultAsync(ct);
        try
        {
            await connector.UpdateAsync(serviceUrl, conversationId, activityId, OutgoingActivity.Card(cards.Digest(view, recipient, teamsUserId).Content), ct);
        }
        catch (ConnectorException ex) when (ex.IsTransient)
        {
            return WorkResult.RetryAt(time.GetUtcNow() + (ex.RetryAfter ?? TimeSpan.FromSeconds(30)), ex.Summary);
        }
        catch (ConnectorException ex) when (ex.Status is HttpStatusCode.NotFound or HttpStatusCode.Forbidden)
        {
            // The chat or message is gone: nothing left to update.
        }
        await db.Digests.Where(d => d.Id == work.DigestId).ExecuteUpdateAsync(s => s.SetProperty(d => d.ShowsState, state), ct);
        return WorkResult.Done;
    }
}

/// <summary>Sends a greeting or help text.</summary>
public sealed class TeamsReplyWorkHandler(BotConnectorClient connector, TimeProvider time) : IWorkHandler
{
    public string Kind => TeamsReplyWork.Kind;

    public async Task<WorkResult> RunAsync(WorkItem item, CancellationToken ct)
    {
        var work = item.ReadPayload<TeamsReplyWork>();
        try
        {
            await connector.SendAsync(work.ServiceUrl, work.ConversationId, OutgoingActivity.Message(work.Text), ct);
            return WorkResult.Done;
        }
        catch (ConnectorException ex) when (ex.IsTransient)
        {
            return WorkResult.RetryAt(time.GetUtcNow() + (ex.RetryAfter ?? TimeSpan.FromSeconds(30)), ex.Summary);
        }
        catch (ConnectorException ex)
        {
            return WorkResult.Fail(ex.Summary);
        }
    }
}
