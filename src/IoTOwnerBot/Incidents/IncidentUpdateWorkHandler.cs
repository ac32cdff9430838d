using System.Globalization;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Persistence;
using IoTOwnerBot.Questions;
using IoTOwnerBot.Sentinel;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Incidents;

/// <summary>
/// Turns a recorded answer into the incident update of the decision policy, then comments on the incident
/// naming the owner, the channel, the time and what changed. Our label on the incident marks the update as
/// applied, so a re-run after a crash never raises severity twice; the comment's id is fixed, so it is never
/// written twice, and its text is decided (and stored with the work) before the incident is written, so a re-run
/// replays it instead of describing what it finds then ("already reflects this answer"). An incident an analyst already closed is never reopened.
/// </summary>
public sealed partial class IncidentUpdateWorkHandler(
    BotDbContext db,
    SentinelClient sentinel,
    QuestionTimeline timeline,
    IOptionsMonitor<DecisionOptions> decision,
    TimeProvider time,
    ILogger<IncidentUpdateWorkHandler> logger) : IWorkHandler
{
    public async Task<WorkResult> RunAsync(WorkItem item, CancellationToken ct)
    {
        var work = item.ReadPayload<IncidentUpdateWork>();
        var question = await db.Questions.SingleOrDefaultAsync(q => q.Id == work.QuestionId, ct);
        if (question is null) return WorkResult.Fail($"Question {work.QuestionId} does not exist.");
        var incident = new IncidentRef(question.SubscriptionId, question.ResourceGroup, question.WorkspaceName, question.IncidentName);
        var policy = decision.CurrentValue;
        if (question.State == QuestionState.Expired) return await NoResponseAsync(item, question, incident, work, policy, ct);
        if (question.Answer is not { } answer) return WorkResult.Fail($"Question {work.QuestionId} has no answer.");

        var outcome = "";
        string Message() => string.Create(CultureInfo.InvariantCulture,
            $"Device owner {question.AnsweredBy} answered \"{AnswerService.Describe(answer)}\" in {question.AnswerChannel} at {question.AnsweredAt:yyyy-MM-dd HH:mm:ss} UTC: {outcome}.");
        string? written = null;
        var lost = false;
        try
        {
            await sentinel.UpdateIncidentAsync(incident, current => Apply(current, answer, policy, out outcome), ct,
                beforeWrite: async token =>
                {
                    // Stored before the PUT: a re-run that finds this write applied replays these words.
                    var text = Message();
                    lost = !await db.RedecideEffectTextAsync(item, text, token);
                    if (lost) throw new InvalidOperationException("The incident update was taken over by another worker.");
                    written = text;
                });
        }
        catch (SentinelException ex) when (!ex.IsTransient)
        {
            outcome = $"the incident could not be updated ({(int)ex.Status} {ex.Code}); the SOC must apply the answer by hand";
            written = Message();
            Log.UpdateRefused(logger, question.IncidentName, ex.Message);
        }
        catch (InvalidOperationException) when (lost)
        {
            return WorkResult.RetryAt(time.GetUtcNow(), "another worker took the incident update over");
        }
        return await CommentAsync(item, question, incident, work.CommentId, written, Message(), ct);
    }

    /// <summary>Silence: the no-response label and a comment. Never closed on silence, nothing else touched.</summary>
    private async Task<WorkResult> NoResponseAsync(WorkItem item, Question question, IncidentRef incident, IncidentUpdateWork work, DecisionOptions policy, CancellationToken ct)
    {
        var outcome = "the incident was labelled";
        string Message() => string.Create(CultureInfo.InvariantCulture,
            $"No device owner answered by {question.ExpiresAt:yyyy-MM-dd HH:mm} UTC: {outcome}. The SOC must decide; IoTOwnerBot never closes an incident on silence.");
        string? written = null;
        var lost = false;
        try
        {
            await sentinel.UpdateIncidentAsync(incident, current =>
            {
                var labels = current.Labels ?? [];
                if (labels.Any(l => string.Equals(l.LabelName, policy.NoResponseLabel, StringComparison.OrdinalIgnoreCase))) return null;
                if (string.Equals(current.Status, "Closed", StringComparison.OrdinalIgnoreCase))
                {
                    outcome = "the incident is already closed and was left unchanged";
                    return null;
                }
                return current with { Labels = [.. labels, new IncidentLabel { LabelName = policy.NoResponseLabel }] };
            }, ct, beforeWrite: async token =>
                {
                    // Stored before the PUT: a re-run that finds this write applied replays these words.
                    var text = Message();
                    lost = !await db.RedecideEffectTextAsync(item, text, token);
                    if (lost) throw new InvalidOperationException("The incident update was taken over by another worker.");
                    written = text;
                });
        }
        catch (SentinelException ex) when (!ex.IsTransient)
        {
            outcome = $"the incident could not be labelled ({(int)ex.Status} {ex.Code})";
            written = Message();
            Log.UpdateRefused(logger, question.IncidentName, ex.Message);
        }
        catch (InvalidOperationException) when (lost)
        {
            return WorkResult.RetryAt(time.GetUtcNow(), "another worker took the incident update over");
        }
        return await CommentAsync(item, question, incident, work.CommentId, written, Message(), ct);
    }

    /// <summary>
    /// The comment under its fixed id, then (once) the timeline event that says it was written. Its text is the one
    /// decided by the attempt that wrote (or tried to write) the incident: <paramref name="written"/> when this attempt
    /// did; otherwise the text stored by an earlier attempt whose write the incident already shows, and only without
    /// one <paramref name="composed"/> from what this attempt found. Whatever is chosen is stored before the comment is
    /// written, so every re-run writes the same words.
    /// </summary>
    private async Task<WorkResult> CommentAsync(WorkItem item, Question question, IncidentRef incident, Guid commentId, string? written, string composed,
        CancellationToken ct)
    {
        var message = written is null ? await db.DecideEffectTextAsync(item, composed, ct)
            : item.EffectText == written || await db.RedecideEffectTextAsync(item, written, ct) ? written : null;
        if (message is null) return WorkResult.RetryAt(time.GetUtcNow(), "another worker took the incident update over");
        await sentinel.AddCommentAsync(incident, commentId, message, ct);
        if (!await db.Timeline.AnyAsync(t => t.CommentId == commentId, ct))
        {
            var ev = timeline.Record(question, TimelineKinds.IncidentUpdated, QuestionService.Actor, message, time.GetUtcNow());
            ev.CommentId = commentId;
            await db.SaveChangesAsync(ct);
        }
        return WorkResult.Done;
    }

    /// <summary>The change an answer makes; null when there is nothing (more) to write.</summary>
    internal static IncidentProperties? Apply(IncidentProperties current, OwnerAnswer answer, DecisionOptions policy, out string outcome)
    {
        var labels = current.Labels ?? [];
        var label = answer == OwnerAnswer.Expected ? policy.Expected.Label : policy.NotExpected.Label;
        if (labels.Any(l => string.Equals(l.LabelName, label, StringComparison.OrdinalIgnoreCase)))
        {
            outcome = "the incident already reflects this answer";
            return null;
        }
        if (string.Equals(current.Status, "Closed", StringComparison.OrdinalIgnoreCase))
        {
            outcome = "an analyst had already closed the incident, so it was left closed and unchanged";
            return null;
        }

        var withLabel = labels.Append(new IncidentLabel { LabelName = label }).ToList();
        if (answer == OwnerAnswer.Expected)
        {
            var e = policy.Expected;
            outcome = e.Close
                ? $"the incident was closed as {e.Classification}{(e.ClassificationReason is null ? "" : "/" + e.ClassificationReason)}"
                : "the incident was labelled; its status was left as it was";
            return e.Close
                ? current with
                {
                    Status = "Closed", Classification = e.Classification, ClassificationReason = e.ClassificationReason,
                    ClassificationComment = e.ClassificationComment, Labels = withLabel,
                }
                : current with { Labels = withLabel };
        }

        var n = policy.NotExpected;
        var severity = n.RaiseSeverity ? IncidentSeverities.RaiseOneLevel(current.Severity) : current.Severity;
        var status = n.Activate && string.Equals(current.Status, "New", StringComparison.OrdinalIgnoreCase) ? "Active" : current.Status;
        outcome = $"the incident stays open ({status}), severity {(severity == current.Severity ? $"stays {severity}" : $"raised from {current.Severity} to {severity}")}";
        return current with { Severity = severity, Status = status, Labels = withLabel };
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1801, Level = LogLevel.Error, Message = "Sentinel refused the update of incident {IncidentName}: {Error}")]
        public static partial void UpdateRefused(ILogger logger, string incidentName, string error);
    }
}
