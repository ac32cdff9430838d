using IoTOwnerBot.Jobs;
using IoTOwnerBot.Persistence;
using IoTOwnerBot.Teams;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.SocChannel;

/// <summary>Durable work: one timeline event as a reply in the incident's SOC thread, posted at most once.</summary>
public sealed record SocReplyWork(Guid ReplyId, string IncidentKey, Guid QuestionId, string Text) : IWork
{
    public static string Kind => "soc.reply";
    public static string Key(Guid replyId) => $"{Kind}:{replyId:D}";
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
    RetryBackoff backoff,
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
            return WorkResult.Later(backoff.Next(item.Attempts, remote.RetryAfter), ex.Message);
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
                    return WorkResult.Later(backoff.Next(item.Attempts, later.RetryAfter), later.Reason);
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
            return WorkResult.Later(backoff.Next(item.Attempts, retryAfter), ex.Message);
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
