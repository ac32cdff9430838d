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
/// Teams answered. Teams refusing the create (429, 4xx, 503) releases the claim; a creation left unconfirmed (a crash
/// or a timeout after sending) is taken over after <see cref="TakeOverAfter"/>, which is the one case that can leave
/// two threads for an incident.
/// </summary>
public sealed partial class SocThreads(
    BotDbContext db,
    BotConnectorClient connector,
    SocThreadCards cards,
    IOptionsMonitor<SocThreadOptions> options,
    IOptionsMonitor<BotOptions> bot,
    IOptions<CredentialOptions> credentials,
    TimeProvider time,
    ILogger<SocThreads> logger)
{
    public static readonly TimeSpan TakeOverAfter = TimeSpan.FromMinutes(2);

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
            if (since is { } started && now - started < TakeOverAfter) return null;
            var taken = await db.SocThreads
                .Where(t => t.IncidentKey == incidentKey && t.ConversationId == null && t.CreatingSince == since)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.CreatingSince, now), ct);
            if (taken == 0) return null;
            await db.Entry(thread).ReloadAsync(ct);
            if (since is not null) Log.TakingOver(logger, incidentKey);
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
                OutgoingActivity.Card(cards.Root(question).Content), ct);
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
        thread.ConversationId = conversationId;
        thread.RootActivityId = rootId;
        thread.RootShows = SocThreadCards.Signature(question);
        thread.CreatingSince = null;
        thread.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        Log.Created(logger, incidentKey, conversationId);
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
                OutgoingActivity.Card(cards.Root(question).Content), ct);
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

        [LoggerMessage(EventId = 2402, Level = LogLevel.Warning, Message = "SOC thread for incident {IncidentKey}: an earlier creation was never confirmed; creating it again (Teams may show two threads)")]
        public static partial void TakingOver(ILogger logger, string incidentKey);
    }
}

/// <summary><c>soc.thread</c> and <c>soc.root-update</c>: the thread exists and its root shows the current round.</summary>
public sealed class SocRootWorkHandler(SocThreads threads, IOptionsMonitor<SocThreadOptions> options, TimeProvider time, string kind) : IWorkHandler
{
    public string Kind => kind;

    public async Task<WorkResult> RunAsync(WorkItem item, CancellationToken ct)
    {
        if (!options.CurrentValue.Enabled) return WorkResult.Done;
        var incidentKey = kind == SocThreadWork.Kind ? item.ReadPayload<SocThreadWork>().IncidentKey : item.ReadPayload<SocRootUpdateWork>().IncidentKey;
        try
        {
            var thread = await threads.EnsureAsync(incidentKey, ct);
            if (thread is null) return WorkResult.RetryAt(time.GetUtcNow() + TimeSpan.FromSeconds(1), "the SOC thread is being created");
            await threads.UpdateRootAsync(thread, ct);
            return WorkResult.Done;
        }
        catch (ConnectorException ex) when (ex.IsTransient)
        {
            return WorkResult.RetryAt(time.GetUtcNow() + (ex.RetryAfter ?? TimeSpan.FromSeconds(30)), ex.Summary);
        }
        catch (ConnectorException ex) when (ex.Status is HttpStatusCode.NotFound or HttpStatusCode.Forbidden or HttpStatusCode.BadRequest)
        {
            return WorkResult.Fail($"The SOC channel refused the thread: {ex.Summary}");
        }
    }
}

/// <summary>
/// <c>soc.reply</c>: posts one timeline event into the incident's thread, at most once. The attempt is saved before
/// the post and the activity id after; a run that finds an attempt without an id (a crash, a timeout or a 5xx after
/// sending: Teams may have posted it, and the Bot Connector cannot be asked) does not post again. The event is still
/// on the root card's timeline and in the SOC API.
/// </summary>
public sealed partial class SocReplyWorkHandler(
    BotDbContext db,
    SocThreads threads,
    BotConnectorClient connector,
    IOptionsMonitor<SocThreadOptions> options,
    IOptions<JobOptions> jobs,
    TimeProvider time,
    ILogger<SocReplyWorkHandler> logger) : IWorkHandler
{
    public string Kind => SocReplyWork.Kind;

    public async Task<WorkResult> RunAsync(WorkItem item, CancellationToken ct)
    {
        if (!options.CurrentValue.Enabled) return WorkResult.Done;
        var work = item.ReadPayload<SocReplyWork>();
        var reply = await db.SocThreadReplies.SingleOrDefaultAsync(r => r.Id == work.ReplyId, ct);
        if (reply?.Outcome is not null) return WorkResult.Done;
        if (reply?.AttemptedAt is not null)
        {
            await FinishAsync(reply, "uncertain", null);
            Log.Uncertain(logger, work.QuestionId, work.ReplyId);
            return WorkResult.Done;
        }

        SocThread? thread;
        try
        {
            thread = await threads.EnsureAsync(work.IncidentKey, ct);
        }
        catch (ConnectorException ex) when (ex.IsTransient)
        {
            return WorkResult.RetryAt(time.GetUtcNow() + (ex.RetryAfter ?? TimeSpan.FromSeconds(30)), ex.Summary);
        }
        if (thread is null) return WorkResult.RetryAt(time.GetUtcNow() + TimeSpan.FromSeconds(1), "the SOC thread is being created");

        reply ??= db.SocThreadReplies.Add(new SocThreadReply { Id = work.ReplyId, IncidentKey = work.IncidentKey, QuestionId = work.QuestionId }).Entity;
        reply.AttemptedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        try
        {
            var activityId = await connector.SendAtMostOnceAsync(thread.ServiceUrl, thread.ConversationId!, new OutgoingActivity("message", work.Text, TextFormat: "plain"), ct);
            await FinishAsync(reply, "sent", activityId);
            return WorkResult.Done;
        }
        catch (ConnectorException ex) when (ex.WasRefused)
        {
            // Teams said no: nothing was posted, so the next attempt may post.
            reply.AttemptedAt = null;
            if (ex.IsTransient && item.Attempts < jobs.Value.MaxAttempts)
            {
                await db.SaveChangesAsync(CancellationToken.None);
                return WorkResult.RetryAt(time.GetUtcNow() + (ex.RetryAfter ?? TimeSpan.FromSeconds(30)), ex.Summary);
            }
            await FinishAsync(reply, "failed", null);
            return WorkResult.Fail(ex.Summary);
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
        {
            reply.AttemptedAt = null;
            await db.SaveChangesAsync(CancellationToken.None);
            return WorkResult.RetryAt(time.GetUtcNow() + TimeSpan.FromSeconds(30), ex.Message);
        }
        catch (Exception ex) when (ex is ConnectorException or HttpRequestException or TimeoutException
                                       || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            await FinishAsync(reply, "uncertain", null);
            Log.Uncertain(logger, work.QuestionId, work.ReplyId);
            return WorkResult.Done;
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
        [LoggerMessage(EventId = 2411, Level = LogLevel.Warning, Message = "Question {QuestionId}: SOC thread reply {ReplyId} may or may not have reached Teams; it is not posted again (no duplicate)")]
        public static partial void Uncertain(ILogger logger, Guid questionId, Guid replyId);
    }
}
