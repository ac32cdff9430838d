using System.Net;
using IoTOwnerBot.Hosting;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Persistence;
using IoTOwnerBot.Questions;
using IoTOwnerBot.Teams;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.SocChannel;

/// <summary>
/// Where an incident's SOC thread is, creating it when needed. Exactly one worker creates a thread: it inserts the
/// <see cref="SocThread"/> row first (the unique incident key is the claim) and saves the conversation id after
/// Teams answered. Teams refusing the create (429, 4xx) releases the claim. A creation left unconfirmed (a crash, a
/// 5xx or a timeout after sending) is taken over after <see cref="SocThreadOptions.CreationTakeOverAfter"/>: the taker first looks for the root in
/// the channel by the incident's thread marker (<see cref="SocChannelReader"/>) and adopts it when it is there; only
/// when the channel cannot be read does it create the thread again, and the incident may then show two threads.
/// </summary>
public sealed partial class SocThreads(
    BotDbContext db,
    BotConnectorClient connector,
    SocThreadCards cards,
    SocChannelReader channel,
    IOptionsMonitor<SocThreadOptions> options,
    IOptionsMonitor<BotOptions> bot,
    IOptions<CredentialOptions> credentials,
    TimeProvider time,
    ILogger<SocThreads> logger)
{
    /// <summary>How often work waiting for another instance's thread creation looks again (no attempt is spent waiting; workers of one instance wait on a gate instead).</summary>
    public static readonly TimeSpan CreationPoll = TimeSpan.FromSeconds(5);

    /// <summary>The thread with its root, or null when another instance is creating it (try again shortly).</summary>
    public async Task<SocThread?> EnsureAsync(string incidentKey, CancellationToken ct)
    {
        // Workers of this instance wait for each other (the first reply need not retry while the root is posted);
        // instances are kept apart by the row's claim.
        var gate = Gates[(int)((uint)StringComparer.Ordinal.GetHashCode(incidentKey) % (uint)Gates.Length)];
        await gate.WaitAsync(ct);
        try
        {
            return await EnsureLockedAsync(incidentKey, ct);
        }
        finally
        {
            gate.Release();
        }
    }

    private static readonly SemaphoreSlim[] Gates = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))];

    private async Task<SocThread?> EnsureLockedAsync(string incidentKey, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var thread = await db.SocThreads.SingleOrDefaultAsync(t => t.IncidentKey == incidentKey, ct);
        if (thread?.RootActivityId is not null) return thread;

        var o = options.CurrentValue;
        if (thread is null)
        {
            thread = db.SocThreads.Add(new SocThread
            {
                IncidentKey = incidentKey, ServiceUrl = o.EffectiveServiceUrl(bot.CurrentValue), ChannelId = o.ChannelId!,
                CreatingSince = now, CreatedAt = now, UpdatedAt = now,
            }).Entity;
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException ex) when (ex.IsUniqueViolation())
            {
                db.Entry(thread).State = EntityState.Detached;
                return null;
            }
        }
        else
        {
            var since = thread.CreatingSince;
            if (since is { } started && now - started < o.CreationTakeOverAfter) return null;
            var taken = await db.SocThreads
                .Where(t => t.IncidentKey == incidentKey && t.ConversationId == null && t.CreatingSince == since)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.CreatingSince, now), ct);
            if (taken == 0) return null;
            await db.Entry(thread).ReloadAsync(ct);
            if (since is not null)
            {
                switch (await channel.FindRootAsync(incidentKey, thread.CreatedAt - LookBack, ct))
                {
                    case ChatLookup.Found found:
                        Log.FoundRoot(logger, incidentKey, found.ActivityId);
                        return await ConfirmAsync(thread, $"{thread.ChannelId};messageid={found.ActivityId}", found.ActivityId, rootShows: null, ct);
                    case ChatLookup.Later later:
                        // Give the claim back as it was, so the next run looks again at once.
                        await db.SocThreads.Where(t => t.IncidentKey == incidentKey && t.ConversationId == null && t.CreatingSince == now)
                            .ExecuteUpdateAsync(s => s.SetProperty(t => t.CreatingSince, since), ct);
                        throw new ChannelUnreadableException(later.Reason, later.RetryAfter);
                    case ChatLookup.CannotTell cannot:
                        Log.TakingOver(logger, incidentKey, cannot.Reason);
                        break;
                }
            }
        }

        var question = await SocThreadCards.LatestAsync(db, incidentKey, ct);
        if (question is null)
        {
            await ReleaseAsync(incidentKey, ct);
            throw new InvalidOperationException($"No question for incident {incidentKey}.");
        }
        var tenant = bot.CurrentValue.EffectiveTenantId(credentials.Value) ?? LocalDefaults.TenantId;
        string conversationId, rootId;
        try
        {
            (conversationId, rootId) = await connector.CreateChannelThreadAsync(thread.ServiceUrl, thread.ChannelId, tenant,
                OutgoingActivity.Card(cards.Root(question)), ct);
        }
        catch (ConnectorException ex) when (ex.WasRefused)
        {
            await ReleaseAsync(incidentKey, ct);
            throw;
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
        {
            await ReleaseAsync(incidentKey, ct);
            throw;
        }
        Log.Created(logger, incidentKey, conversationId);
        return await ConfirmAsync(thread, conversationId, rootId, SocThreadCards.Signature(question), ct);
    }

    /// <summary>Graph's <c>createdDateTime</c> and our clock may differ a little: the search starts this much earlier.</summary>
    private static readonly TimeSpan LookBack = TimeSpan.FromMinutes(1);

    private async Task<SocThread> ConfirmAsync(SocThread thread, string conversationId, string rootId, string? rootShows, CancellationToken ct)
    {
        thread.ConversationId = conversationId;
        thread.RootActivityId = rootId;
        // Null for an adopted root: what it shows is not known, so the next root update renders it.
        thread.RootShows = rootShows;
        thread.CreatingSince = null;
        thread.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(CancellationToken.None);
        return thread;
    }

    /// <summary>Makes the root card show the incident's latest round; re-renders when the state moved on meanwhile.</summary>
    public async Task UpdateRootAsync(SocThread thread, CancellationToken ct)
    {
        for (var pass = 0; pass < 3; pass++)
        {
            var question = await SocThreadCards.LatestAsync(db, thread.IncidentKey, ct);
            if (question is null) return;
            var signature = SocThreadCards.Signature(question);
            if (thread.RootShows == signature) return;
            await connector.UpdateAsync(thread.ServiceUrl, thread.ConversationId!, thread.RootActivityId!,
                OutgoingActivity.Card(cards.Root(question)), ct);
            thread.RootShows = signature;
            thread.UpdatedAt = time.GetUtcNow();
            await db.SaveChangesAsync(ct);
        }
    }

    private Task<int> ReleaseAsync(string incidentKey, CancellationToken ct) =>
        db.SocThreads.Where(t => t.IncidentKey == incidentKey && t.ConversationId == null).ExecuteDeleteAsync(ct);

    private static partial class Log
    {
        [LoggerMessage(EventId = 2401, Level = LogLevel.Information, Message = "SOC thread for incident {IncidentKey} created ({ConversationId})")]
        public static partial void Created(ILogger logger, string incidentKey, string conversationId);

        [LoggerMessage(EventId = 2402, Level = LogLevel.Warning, Message = "SOC thread for incident {IncidentKey}: an earlier creation was never confirmed and the channel cannot tell whether it landed ({Reason}); creating it again (Teams may show two threads)")]
        public static partial void TakingOver(ILogger logger, string incidentKey, string reason);

        [LoggerMessage(EventId = 2403, Level = LogLevel.Information, Message = "SOC thread for incident {IncidentKey}: an earlier creation did land (root {RootId}); using it")]
        public static partial void FoundRoot(ILogger logger, string incidentKey, string rootId);
    }
}

/// <summary>The SOC channel could not be read now (throttled, 5xx, unreachable): the work tries again, nothing was posted.</summary>
public sealed class ChannelUnreadableException(string reason, TimeSpan? retryAfter) : Exception(reason), IRemoteFailure
{
    public bool IsTransient => true;
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary><c>soc.thread</c> and <c>soc.root-update</c>: the thread exists and its root shows the current round.</summary>
public sealed class SocRootWorkHandler<TWork>(SocThreads threads, IOptionsMonitor<SocThreadOptions> options, TimeProvider time) : IWorkHandler
    where TWork : ISocRootWork
{
    public async Task<WorkResult> RunAsync(WorkItem item, CancellationToken ct)
    {
        if (!options.CurrentValue.Enabled) return WorkResult.Done;
        var incidentKey = item.ReadPayload<TWork>().IncidentKey;
        try
        {
            var thread = await threads.EnsureAsync(incidentKey, ct);
            if (thread is null) return WorkResult.NotSent(time.GetUtcNow() + SocThreads.CreationPoll, "the SOC thread is being created");
            await threads.UpdateRootAsync(thread, ct);
            return WorkResult.Done;
        }
        catch (Exception ex) when (ex is IRemoteFailure { IsTransient: true } remote)
        {
            return WorkResult.Later(time.GetUtcNow() + (remote.RetryAfter ?? TimeSpan.FromSeconds(30)), ex.Message);
        }
        catch (ConnectorException ex) when (ex.Status is HttpStatusCode.NotFound or HttpStatusCode.Forbidden or HttpStatusCode.BadRequest)
        {
            return WorkResult.Fail($"The SOC channel refused the thread: {ex.Summary}");
        }
    }
}

/// <summary>
/// <c>soc.reply</c>: posts one timeline event into the incident's thread, once. The attempt is saved before the post
/// and the activity id after. A run that finds an attempt without an id (a crash, a graceful stop, a timeout or a 5xx
/// after sending: Teams may have posted it, and the Bot Connector cannot be asked) waits
/// <see cref="BotOptions.UncertainPostRecheckDelay"/> after that attempt, looks for the reply's reference in the
/// thread (<see cref="SocChannelReader"/>) and posts only if it is not there. Where the channel cannot be read at all
/// the reply is not posted again (outcome <c>uncertain</c>): the event is still on the root card's timeline and in the
/// SOC API, and a doubled reply would mislead more than a missing one.
/// </summary>
public sealed partial class SocReplyWorkHandler(
    BotDbContext db,
    SocThreads threads,
    SocChannelReader channel,
    BotConnectorClient connector,
    IOptionsMonitor<SocThreadOptions> options,
    IOptionsMonitor<BotOptions> bot,
    TimeProvider time,
    ILogger<SocReplyWorkHandler> logger) : IWorkHandler
{
    public async Task<WorkResult> RunAsync(WorkItem item, CancellationToken ct)
    {
        if (!options.CurrentValue.Enabled) return WorkResult.Done;
        var work = item.ReadPayload<SocReplyWork>();
        var reply = await db.SocThreadReplies.SingleOrDefaultAsync(r => r.Id == work.ReplyId, ct);
        if (reply?.Outcome is not null) return WorkResult.Done;

        SocThread? thread;
        try
        {
            thread = await threads.EnsureAsync(work.IncidentKey, ct);
        }
        catch (Exception ex) when (ex is IRemoteFailure { IsTransient: true } remote)
        {
            return WorkResult.Later(time.GetUtcNow() + (remote.RetryAfter ?? TimeSpan.FromSeconds(30)), ex.Message);
        }
        if (thread is null) return WorkResult.NotSent(time.GetUtcNow() + SocThreads.CreationPoll, "the SOC thread is being created");

        if (reply?.AttemptedAt is { } attempted)
        {
            var recheck = attempted + bot.CurrentValue.UncertainPostRecheckDelay;
            if (recheck > time.GetUtcNow()) return WorkResult.Later(recheck, "an earlier post of this reply may not be readable in the channel yet");
            switch (await channel.FindReplyAsync(thread.RootActivityId!, work.ReplyId, attempted, ct))
            {
                case ChatLookup.Found found:
                    Log.FoundInThread(logger, work.QuestionId, work.ReplyId);
                    await FinishAsync(reply, "sent", found.ActivityId);
                    return WorkResult.Done;
                case ChatLookup.Later later:
                    return WorkResult.Later(time.GetUtcNow() + (later.RetryAfter ?? TimeSpan.FromSeconds(30)), later.Reason);
                case ChatLookup.CannotTell cannot:
                    await FinishAsync(reply, "uncertain", null);
                    Log.Uncertain(logger, work.QuestionId, work.ReplyId, cannot.Reason);
                    return WorkResult.Done;
            }
            // Not there: the earlier attempt never reached Teams; post it now.
        }

        reply ??= db.SocThreadReplies.Add(new SocThreadReply { Id = work.ReplyId, IncidentKey = work.IncidentKey, QuestionId = work.QuestionId }).Entity;
        reply.AttemptedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        var text = $"{work.Text} ({SocChannelReader.ReplyMarker(work.ReplyId)})";
        try
        {
            var activityId = await connector.SendAtMostOnceAsync(thread.ServiceUrl, thread.ConversationId!, new OutgoingActivity("message", text, TextFormat: "plain"), ct);
            await FinishAsync(reply, "sent", activityId);
            return WorkResult.Done;
        }
        catch (Exception ex) when (ex is ConnectorException { WasRefused: true }
                                       || ex is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError })
        {
            // Teams said no, or the request never left: nothing was posted, so the next attempt may post.
            reply.AttemptedAt = null;
            await db.SaveChangesAsync(CancellationToken.None);
            if (ex is ConnectorException { IsTransient: false } refused)
            {
                await FinishAsync(reply, "failed", null);
                return WorkResult.Fail(refused.Summary);
            }
            var retryAfter = (ex as ConnectorException)?.RetryAfter;
            return WorkResult.Later(time.GetUtcNow() + (retryAfter ?? TimeSpan.FromSeconds(30)), ex.Message);
        }
        catch (Exception ex) when (ex is ConnectorException or HttpRequestException or TimeoutException
                                       || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            // Teams may have posted it: the next run looks in the thread first.
            return WorkResult.Later(time.GetUtcNow() + bot.CurrentValue.UncertainPostRecheckDelay, $"the reply's outcome is unknown ({ex.Message})");
        }
    }

    private async Task FinishAsync(SocThreadReply reply, string outcome, string? activityId)
    {
        reply.Outcome = outcome;
        reply.ActivityId = activityId;
        reply.CompletedAt = time.GetUtcNow();
        // The post happened (or may have): record it even when the run is being cancelled.
        await db.SaveChangesAsync(CancellationToken.None);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2411, Level = LogLevel.Warning, Message = "Question {QuestionId}: SOC thread reply {ReplyId} may or may not have reached Teams and the channel cannot tell ({Reason}); it is not posted again (no duplicate)")]
        public static partial void Uncertain(ILogger logger, Guid questionId, Guid replyId, string reason);

        [LoggerMessage(EventId = 2412, Level = LogLevel.Information, Message = "Question {QuestionId}: SOC thread reply {ReplyId} of unknown outcome is in the thread; not posted again")]
        public static partial void FoundInThread(ILogger logger, Guid questionId, Guid replyId);
    }
}
