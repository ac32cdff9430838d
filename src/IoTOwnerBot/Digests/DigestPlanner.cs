using IoTOwnerBot.Jobs;
using IoTOwnerBot.Persistence;
using IoTOwnerBot.Questions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Digests;

/// <summary>
/// Decides, when a question's send work for one owner runs, whether it goes out alone or in a digest with the owner's
/// other waiting questions (those whose send work for the same owner and channel is still pending). The decision is a
/// <see cref="DeliveryClaim"/> per question, unique per question, channel and owner, saved in one transaction with the
/// digest and its send work: two workers gathering the same questions cannot both win, the loser gathers again.
/// Call it before loading anything tracked: on a lost race it clears the context.
/// </summary>
public sealed partial class DigestPlanner(
    BotDbContext db,
    QuestionTimeline timeline,
    IOptionsMonitor<DigestOptions> options,
    TimeProvider time,
    ILogger<DigestPlanner> logger)
{
    /// <param name="channel">The channel name stored on claims and digests (<c>Outlook</c>, <c>Teams</c>).</param>
    /// <param name="sendKind">Kind of the channel's per-question send work; its dedupe key ends with <c>:{recipientKey}</c>.</param>
    /// <param name="planSend">Adds the digest's send work to the unit of work.</param>
    /// <param name="mode">With digests off: <see cref="ClaimMode.Gather"/> gathers the owner's waiting questions anyway (the
    /// sending budget is short), <see cref="ClaimMode.Alone"/> claims the question for its own send so no such gathering
    /// can take it once it is being sent.</param>
    public async Task<DeliveryPlan> ClaimAsync(string channel, string sendKind, Guid questionId, string recipientKey,
        Action<Digest> planSend, CancellationToken ct, ClaimMode mode = ClaimMode.Window)
    {
        ArgumentNullException.ThrowIfNull(planSend);
        var o = options.CurrentValue;
        var key = recipientKey.ToLowerInvariant();
        for (var attempt = 1; ; attempt++)
        {
            // Checked even with digests off: a question already in a digest (sent before the switch) is never sent again.
            var existing = await db.DeliveryClaims.AsNoTracking()
                .FirstOrDefaultAsync(c => c.QuestionId == questionId && c.Channel == channel && c.RecipientKey == key, ct);
            if (existing is not null)
                return existing.DigestId is { } id ? new DeliveryPlan(DeliveryPlanKind.InDigest, id) : new DeliveryPlan(DeliveryPlanKind.Alone);
            if (!o.Enabled && mode == ClaimMode.Window) return new DeliveryPlan(DeliveryPlanKind.Off);
            if (!await db.Questions.AnyAsync(q => q.Id == questionId && q.State == QuestionState.Open, ct))
                return new DeliveryPlan(DeliveryPlanKind.NotOpen);

            var others = mode == ClaimMode.Alone ? [] : await WaitingAsync(channel, sendKind, questionId, key, o.MaxQuestions - 1, ct);
            var now = time.GetUtcNow();
            Digest? digest = null;
            if (others.Count + 1 < o.MinQuestions || mode == ClaimMode.Alone)
            {
                // Gathering found too few: nothing is claimed, the question may still be gathered by the next one.
                if (mode == ClaimMode.Gather) return new DeliveryPlan(DeliveryPlanKind.Off);
                db.DeliveryClaims.Add(new DeliveryClaim { QuestionId = questionId, Channel = channel, RecipientKey = key, ClaimedAt = now });
            }
            else
            {
                var ids = new List<Guid> { questionId };
                ids.AddRange(others);
                digest = new Digest { Id = Guid.NewGuid(), Channel = channel, RecipientKey = key, DeliveryId = Guid.NewGuid(), CreatedAt = now };
                // Listed oldest incident first: the order the owner would have been asked in.
                var tracked = await db.Questions.Where(q => ids.Contains(q.Id)).ToListAsync(ct);
                var ordered = tracked.OrderBy(q => q.IncidentCreatedAt ?? q.CreatedAt).ThenBy(q => q.CreatedAt).ThenBy(q => q.Id).ToList();
                for (var i = 0; i < ordered.Count; i++)
                {
                    digest.Items.Add(new DeliveryClaim
                    {
                        QuestionId = ordered[i].Id, Channel = channel, RecipientKey = key, DigestId = digest.Id, Position = i, ClaimedAt = now,
                    });
                    timeline.Record(ordered[i], DigestTimeline.Planned, QuestionService.Actor,
                        $"Will be asked in one {channel} digest with {ordered.Count - 1} other incident(s) of the same owner ({key}; digest {digest.Id:D})" +
                        (mode == ClaimMode.Gather ? ", because the sending budget would make them wait." : "."), now);
                }
                db.Digests.Add(digest);
                planSend(digest);
            }
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException ex) when (ex.IsUniqueViolation() && attempt < 5)
            {
                // Another worker claimed some of these questions first: look again at what is left.
                db.ChangeTracker.Clear();
                Log.LostRace(logger, questionId, channel);
                continue;
            }
            if (digest is null) return new DeliveryPlan(DeliveryPlanKind.Alone);
            Log.Planned(logger, digest.Id, channel, digest.Items.Count);
            return new DeliveryPlan(DeliveryPlanKind.InDigest, digest.Id);
        }
    }

    /// <summary>The owner's other open questions whose send work in this channel is still waiting (and not claimed), oldest first.</summary>
    private async Task<List<Guid>> WaitingAsync(string channel, string sendKind, Guid questionId, string key, int max, CancellationToken ct)
    {
        var suffix = ":" + key;
        var waiting = await db.WorkItems.AsNoTracking()
            .Where(w => w.Kind == sendKind && w.Status == WorkStatus.Pending && w.QuestionId != null && w.QuestionId != questionId && w.DedupeKey.EndsWith(suffix))
            .Select(w => w.QuestionId!.Value)
            .ToListAsync(ct);
        if (waiting.Count == 0 || max <= 0) return [];
        var claimed = await db.DeliveryClaims.AsNoTracking()
            .Where(c => c.Channel == channel && c.RecipientKey == key && waiting.Contains(c.QuestionId))
            .Select(c => c.QuestionId).ToListAsync(ct);
        var open = await db.Questions.AsNoTracking()
            .Where(q => waiting.Contains(q.Id) && q.State == QuestionState.Open)
            .Select(q => new { q.Id, q.CreatedAt }).ToListAsync(ct);
        return [.. open.Where(q => !claimed.Contains(q.Id)).OrderBy(q => q.CreatedAt).ThenBy(q => q.Id).Select(q => q.Id).Distinct().Take(max)];
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2601, Level = LogLevel.Information, Message = "Digest {DigestId} planned in {Channel} with {Count} question(s)")]
        public static partial void Planned(ILogger logger, Guid digestId, string channel, int count);

        [LoggerMessage(EventId = 2602, Level = LogLevel.Information, Message = "Question {QuestionId}: another worker claimed some of the owner's questions first ({Channel}); gathering again")]
        public static partial void LostRace(ILogger logger, Guid questionId, string channel);
    }
}
