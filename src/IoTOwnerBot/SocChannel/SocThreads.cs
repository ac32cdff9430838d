using IoTOwnerBot.Hosting;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Persistence;
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
