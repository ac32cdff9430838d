using System.Globalization;
using IoTOwnerBot.Hosting;
using IoTOwnerBot.Persistence;
using IoTOwnerBot.Questions;
using IoTOwnerBot.Teams;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.SocChannel;

/// <summary>
/// Cancel and Re-ask clicked on the SOC thread's root card. Only in the configured channel, only from our tenant, and
/// only for SOC members: the clicker's verified <c>from.aadObjectId</c> is in <c>SocThread:Members</c> or (when set)
/// a member of the Entra group <c>SocThread:MemberGroupId</c>. Anyone else is refused, logged and reported on the
/// question's timeline and the incident. Accepted actions take the same path as the SOC API.
/// </summary>
public sealed partial class SocThreadActions(
    BotDbContext db,
    QuestionLifecycle lifecycle,
    QuestionTimeline timeline,
    SocThreadCards cards,
    SocMembership membership,
    IOptionsMonitor<SocThreadOptions> options,
    IOptionsMonitor<BotOptions> bot,
    IOptions<CredentialOptions> credentials,
    TimeProvider time,
    ILogger<SocThreadActions> logger)
{
    public async Task<InvokeResponse> HandleAsync(Activity activity, string verb, Guid questionId, CancellationToken ct)
    {
        var o = options.CurrentValue;
        if (!o.Enabled) return InvokeResponse.Error(400, "BadRequest", "The SOC thread is not enabled.");
        var question = await db.Questions.SingleOrDefaultAsync(q => q.Id == questionId, ct);
        if (question is null) return InvokeResponse.Error(404, "NotFound", "This question no longer exists.");

        if (await RejectionAsync(activity, o, ct) is { } why)
        {
            await RecordRefusedAsync(activity, verb, questionId, why, ct);
            return InvokeResponse.Error(403, "Forbidden", "Only SOC members may cancel or re-ask. The attempt was reported to the SOC.");
        }

        var actor = $"{activity.From?.Name ?? activity.From?.AadObjectId} (SOC channel in Teams)";
        db.ChangeTracker.Clear();
        var result = verb == SocThreadCards.CancelVerb
            ? await lifecycle.CancelAsync(questionId, actor, "from the SOC channel thread", ct)
            : await lifecycle.ReaskAsync(questionId, actor, "from the SOC channel thread", ct);
        Log.Acted(logger, questionId, verb, result.Status);
        if (result.Status == LifecycleStatus.NotFound) return InvokeResponse.Error(404, "NotFound", "This question no longer exists.");

        var latest = await SocThreadCards.LatestAsync(db, question.IncidentKey, ct);
        if (result.Status != LifecycleStatus.Done && latest is not null && latest.Id == questionId)
        {
            var state = latest.State.ToString().ToLowerInvariant();
            return new InvokeResponse(200, InvokeResponse.MessageType,
                string.Create(CultureInfo.InvariantCulture, $"Nothing changed: the question is {state}."));
        }
        return latest is null ? InvokeResponse.Error(404, "NotFound", "This question no longer exists.") : InvokeResponse.Card(cards.Root(latest));
    }

    /// <summary>A refused Cancel or Re-ask: a warning in the log and a security event on the question's timeline and the incident.</summary>
    public async Task RecordRefusedAsync(Activity activity, string verb, Guid questionId, string why, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(activity);
        var question = await db.Questions.SingleOrDefaultAsync(q => q.Id == questionId, ct);
        if (question is null) return;
        var who = $"{TeamsBot.Printable(activity.From?.Name ?? "unknown")} (object id {TeamsBot.Printable(activity.From?.AadObjectId)})";
        Log.Rejected(logger, questionId, verb, activity.From?.AadObjectId, why);
        timeline.Record(question, SocThreadTimeline.ActionRejected, who,
            $"{who} tried to {(verb == SocThreadCards.CancelVerb ? "cancel" : "re-ask")} the question from the SOC channel and was refused: {why}.", time.GetUtcNow());
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Why the clicker may not act, or null when they may.</summary>
    private async Task<string?> RejectionAsync(Activity activity, SocThreadOptions o, CancellationToken ct)
    {
        if (!string.Equals(activity.ChannelId, TeamsBot.TeamsChannelId, StringComparison.Ordinal))
            return "the click did not come from Microsoft Teams";
        var channel = activity.ChannelData?.Channel?.Id;
        var conversation = activity.Conversation?.Id ?? "";
        if (!string.Equals(channel, o.ChannelId, StringComparison.Ordinal) && !conversation.StartsWith(o.ChannelId + ";", StringComparison.Ordinal))
            return "the card was not clicked in the SOC channel";
        var ours = bot.CurrentValue.EffectiveTenantId(credentials.Value);
        if (ours is null || !string.Equals(activity.TenantId, ours, StringComparison.OrdinalIgnoreCase))
            return "the clicker is from another tenant";
        if (activity.From?.AadObjectId is not { Length: > 0 } oid) return "Teams did not say who clicked";
        if (o.Members.Any(m => string.Equals(m, oid, StringComparison.OrdinalIgnoreCase))) return null;
        if (o.MemberGroupId is { Length: > 0 } group && await membership.IsMemberAsync(oid, group, ct)) return null;
        return "they are not a SOC member (SocThread:Members / SocThread:MemberGroupId)";
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2421, Level = LogLevel.Warning, Message = "SOC thread action {Verb} on question {QuestionId} by {ObjectId} refused: {Reason}")]
        public static partial void Rejected(ILogger logger, Guid questionId, string verb, string? objectId, string reason);

        [LoggerMessage(EventId = 2422, Level = LogLevel.Information, Message = "SOC thread action {Verb} on question {QuestionId}: {Status}")]
        public static partial void Acted(ILogger logger, Guid questionId, string verb, LifecycleStatus status);
    }
}
