using System.Collections.Frozen;
using IoTOwnerBot.Digests;
using IoTOwnerBot.Outlook;
using IoTOwnerBot.SocChannel;
using IoTOwnerBot.Teams;

namespace IoTOwnerBot.Questions;

/// <summary>
/// Which timeline events the SOC also sees as a comment on the incident, decided once per kind here and never by the
/// code that records the event (<see cref="QuestionTimeline.Record"/>). A kind is mirrored always or never: an event
/// that the SOC should see in one case and not in another is two kinds. Every kind constant has a row (a test checks
/// it); a kind without one is refused when recorded.
/// </summary>
public static class TimelinePolicy
{
    /// <summary>Kind → whether its events are mirrored as an incident comment.</summary>
    public static readonly FrozenDictionary<string, bool> MirroredAsComment = new Dictionary<string, bool>
    {
        // The question and its owners: the incident learns whom the bot asks, or that nobody can be asked.
        [TimelineKinds.Created] = false,
        [TimelineKinds.OwnerSourceAnswered] = false,
        [TimelineKinds.OwnerSourceEmpty] = false,
        [TimelineKinds.OwnerNotInDirectory] = false,
        [TimelineKinds.OwnersResolved] = true,
        [TimelineKinds.NoOwner] = true,

        // Decisions. An answer's and an expiry's comment is the incident update's (incident.updated carries its id).
        [TimelineKinds.AnswerRecorded] = false,
        [TimelineKinds.Expired] = false,
        [TimelineKinds.IncidentUpdated] = false,
        [TimelineKinds.Cancelled] = true,
        [TimelineKinds.Reasked] = true,
        [TimelineKinds.Reminded] = true,
        [TimelineKinds.Escalated] = true,

        // Security events: a responder who may not answer is the SOC's business; a refused Outlook card token is not
        // (anyone holding a forwarded e-mail could otherwise write on the incident).
        [TimelineKinds.ResponderRejected] = true,
        [OutlookTimeline.TokenRejected] = false,
        [SocThreadTimeline.ActionRejected] = true,

        // Work that failed for good; a comment refused for good is not retried as another comment.
        [TimelineKinds.WorkFailed] = true,
        [TimelineKinds.CommentFailed] = false,

        // E-mail: each delivery once (a digest's is on each of its questions' timelines only).
        [OutlookTimeline.DeliverySent] = true,
        [OutlookTimeline.DeliverySentInDigest] = false,
        [OutlookTimeline.DeliveryFailed] = true,
        [DigestTimeline.Planned] = false,

        // Teams: a card sent or not sent is on the incident; planning and bookkeeping are not.
        [TeamsTimeline.Sent] = true,
        [TeamsTimeline.Failed] = true,
        [TeamsTimeline.Planned] = false,
        [TeamsTimeline.FallbackScheduled] = false,
        [TeamsTimeline.AppInstalled] = false,
        [TeamsTimeline.CardUpdated] = false,
        [TeamsTimeline.Uncertain] = false,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Whether an event of <paramref name="kind"/> is also an incident comment.</summary>
    /// <exception cref="ArgumentException">The kind has no row in <see cref="MirroredAsComment"/>.</exception>
    public static bool IsMirrored(string kind) =>
        MirroredAsComment.TryGetValue(kind, out var mirrored)
            ? mirrored
            : throw new ArgumentException($"Timeline kind '{kind}' has no row in {nameof(TimelinePolicy)}.{nameof(MirroredAsComment)}.", nameof(kind));
}
