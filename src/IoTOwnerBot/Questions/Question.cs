namespace IoTOwnerBot.Questions;

public enum QuestionState
{
    /// <summary>Owners are known; the question is being delivered or waits for an answer.</summary>
    Open,
    /// <summary>No owner could be found; the SOC must handle the incident.</summary>
    NoOwner,
    Answered,
    Expired,
    Cancelled,
}

public enum OwnerAnswer { Expected, NotExpected }

/// <summary>The channels an owner can answer in, as the question records them.</summary>
public static class AnswerChannels
{
    public const string Outlook = "Outlook";
    public const string Teams = "Teams";
}

public enum OwnerSource { Payload, EntitiesApi, LogAnalytics, Directory, Fallback, Escalation }

/// <summary>
/// One round of asking the owners of one incident's IoT devices, and the state machine of that round: it owns its
/// state and every transition (<see cref="Decide"/>: open → answered, expired or cancelled; <see cref="NextRound"/>:
/// a new round after a decision). <see cref="QuestionLifecycle"/> persists a transition together with everything
/// it implies.
/// </summary>
public sealed class Question
{
    public Guid Id { get; set; }

    /// <summary>Normalized (lower-case) ARM id of the incident; with <see cref="Round"/> the natural key.</summary>
    public required string IncidentKey { get; set; }
    public int Round { get; private set; } = 1;

    public required string SubscriptionId { get; set; }
    public required string ResourceGroup { get; set; }
    public required string WorkspaceName { get; set; }
    public required string IncidentName { get; set; }
    public int? IncidentNumber { get; set; }
    public required string IncidentTitle { get; set; }
    public string? IncidentDescription { get; set; }
    public required string IncidentSeverity { get; set; }
    public string? IncidentUrl { get; set; }
    public DateTimeOffset? IncidentCreatedAt { get; set; }

    public QuestionState State { get; private set; }
    public OwnerAnswer? Answer { get; private set; }
    public string? AnsweredBy { get; private set; }
    /// <summary>Entra object id of the person who answered, as the channel's verified token said.</summary>
    public string? AnsweredByObjectId { get; private set; }
    /// <summary>The recipient the answer was given for (the responder, or the owner a delegate answered for).</summary>
    public long? AnsweredForRecipientId { get; private set; }
    public string? AnswerChannel { get; private set; }
    public DateTimeOffset? AnsweredAt { get; private set; }

    /// <summary>Card template versions this question was sent with, as "card@channel" → version.</summary>
    public Dictionary<string, string> CardVersions { get; set; } = [];

    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    public DateTimeOffset? ExpiresAt { get; private set; }

    /// <summary>Bumped by every state change; conditional updates compare it so two instances never both win.</summary>
    public int Version { get; private set; }

    public List<QuestionDevice> Devices { get; set; } = [];
    public List<Recipient> Recipients { get; set; } = [];
    public List<TimelineEvent> Timeline { get; set; } = [];

    /// <summary>Waiting for an answer: the only state a decision can leave.</summary>
    public bool IsOpen => State == QuestionState.Open;

    /// <summary>Answered, expired or cancelled: the round is over and may be asked again.</summary>
    public bool IsDecided => State is QuestionState.Answered or QuestionState.Expired or QuestionState.Cancelled;

    /// <summary>A new question starts open when it has owners to ask, and as "no owner" (the SOC's) when it has none.</summary>
    public void Start(DateTimeOffset now)
    {
        State = Recipients.Count > 0 ? QuestionState.Open : QuestionState.NoOwner;
        CreatedAt = now;
        UpdatedAt = now;
    }

    /// <summary>The deadline after which nobody's silence is waited for any longer.</summary>
    public void ScheduleExpiry(DateTimeOffset at)
    {
        if (!IsOpen) throw new InvalidOperationException($"Question {Id} is {State}; only an open question has a deadline.");
        ExpiresAt = at;
    }

    /// <summary>
    /// Performs <paramref name="decision"/> if the question may take it — it is open and, for an expiry, its deadline
    /// has passed — and returns whether it did. Every decision bumps <see cref="Version"/>.
    /// </summary>
    public bool Decide(QuestionDecision decision, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(decision);
        if (!IsOpen) return false;
        switch (decision)
        {
            case AnswerDecision a:
                State = QuestionState.Answered;
                Answer = a.Answer;
                AnsweredBy = a.By;
                AnsweredByObjectId = a.ByObjectId;
                AnsweredForRecipientId = a.ForRecipientId;
                AnswerChannel = a.Channel;
                AnsweredAt = now;
                break;
            case ExpireDecision:
                if (ExpiresAt > now) return false;
                State = QuestionState.Expired;
                break;
            case CancelDecision:
                State = QuestionState.Cancelled;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(decision), decision, "Unknown decision.");
        }
        UpdatedAt = now;
        Version++;
        return true;
    }

    /// <summary>
    /// The next round for the same incident, devices and owners (open, not yet scheduled); null when this round has
    /// nobody to ask again or is still open (cancel it first).
    /// </summary>
    public Question? NextRound(DateTimeOffset now)
    {
        if (!IsDecided || Recipients.Count == 0) return null;
        var next = new Question
        {
            Id = Guid.NewGuid(),
            IncidentKey = IncidentKey,
            Round = Round + 1,
            SubscriptionId = SubscriptionId,
            ResourceGroup = ResourceGroup,
            WorkspaceName = WorkspaceName,
            IncidentName = IncidentName,
            IncidentNumber = IncidentNumber,
            IncidentTitle = IncidentTitle,
            IncidentDescription = IncidentDescription,
            IncidentSeverity = IncidentSeverity,
            IncidentUrl = IncidentUrl,
            IncidentCreatedAt = IncidentCreatedAt,
            Devices = Devices.Select(d => new QuestionDevice
            {
                Name = d.Name, DeviceId = d.DeviceId, DeviceType = d.DeviceType, DeviceSubType = d.DeviceSubType, Vendor = d.Vendor,
                Model = d.Model, FirmwareVersion = d.FirmwareVersion, IpAddress = d.IpAddress, MacAddress = d.MacAddress,
                Site = d.Site, Zone = d.Zone, Sensor = d.Sensor, Importance = d.Importance,
            }).ToList(),
            Recipients = Recipients.Select(r => new Recipient
            {
                Address = r.Address, Source = r.Source, DeviceNames = [.. r.DeviceNames], FoundInDirectory = r.FoundInDirectory,
                ObjectId = r.ObjectId, UserPrincipalName = r.UserPrincipalName, Mail = r.Mail, DisplayName = r.DisplayName,
                PreferredLanguage = r.PreferredLanguage,
            }).ToList(),
        };
        next.Start(now);
        return next;
    }
}

/// <summary>What ends an open question: an owner's answer, the deadline, or the SOC.</summary>
public abstract record QuestionDecision(string Actor)
{
    /// <summary>An answer or silence changes the incident (durable incident update); a cancellation does not.</summary>
    public abstract bool UpdatesIncident { get; }
}

/// <summary>
/// An owner (or their delegate) answered in <paramref name="Channel"/>; <paramref name="SingleUseKey"/> is the card token's
/// nonce, <paramref name="ByObjectId"/> the responder's verified object id, <paramref name="ForRecipientId"/> the recipient answered for.
/// </summary>
public sealed record AnswerDecision(OwnerAnswer Answer, string By, string Channel, string? SingleUseKey = null, string? ByObjectId = null, long? ForRecipientId = null)
    : QuestionDecision(By)
{
    public override bool UpdatesIncident => true;
}

/// <summary>Nobody answered before the deadline.</summary>
public sealed record ExpireDecision() : QuestionDecision(QuestionService.Actor)
{
    public override bool UpdatesIncident => true;
}

/// <summary>The SOC cancelled the question (<paramref name="Reason"/> optional).</summary>
public sealed record CancelDecision(string By, string? Reason) : QuestionDecision(By)
{
    public override bool UpdatesIncident => false;
}

/// <summary>An IoT/OT device of the incident, as far as Sentinel describes it.</summary>
public sealed class QuestionDevice
{
    public long Id { get; set; }
    public Guid QuestionId { get; set; }
    public required string Name { get; set; }
    public string? DeviceId { get; set; }
    public string? DeviceType { get; set; }
    public string? DeviceSubType { get; set; }
    public string? Vendor { get; set; }
    public string? Model { get; set; }
    public string? FirmwareVersion { get; set; }
    public string? IpAddress { get; set; }
    public string? MacAddress { get; set; }
    public string? Site { get; set; }
    public string? Zone { get; set; }
    public string? Sensor { get; set; }
    public string? Importance { get; set; }
}

/// <summary>An owner the bot asks, with the source that named them.</summary>
public sealed class Recipient
{
    public long Id { get; set; }
    public Guid QuestionId { get; set; }

    /// <summary>The owner as the source named them (UPN or mail address).</summary>
    public required string Address { get; set; }
    public OwnerSource Source { get; set; }
    /// <summary>Names of the devices this owner was named for.</summary>
    public List<string> DeviceNames { get; set; } = [];

    /// <summary>False when the directory does not know the address; the bot still mails it.</summary>
    public bool FoundInDirectory { get; set; }
    public string? ObjectId { get; set; }
    public string? UserPrincipalName { get; set; }
    public string? Mail { get; set; }
    public string? DisplayName { get; set; }
    public string? PreferredLanguage { get; set; }

    public string Display => DisplayName is { Length: > 0 } name ? $"{name} ({Mail ?? Address})" : Mail ?? Address;
}

/// <summary>One step of a question's life, in order; mirrored to the incident as a comment when its kind is (<see cref="TimelinePolicy"/>).</summary>
public sealed class TimelineEvent
{
    public long Id { get; set; }
    public Guid QuestionId { get; set; }
    public DateTimeOffset At { get; set; }
    public required string Kind { get; set; }
    public required string Actor { get; set; }
    public required string Message { get; set; }
    /// <summary>Id of the Sentinel comment that mirrors this event, fixed before the first attempt so retries reuse it.</summary>
    public Guid? CommentId { get; set; }
}

public static class TimelineKinds
{
    public const string Created = "question.created";
    /// <summary>Whom the bot will ask, and who named them: the incident's first comment.</summary>
    public const string OwnersResolved = "owners.resolved";
    /// <summary>One owner source named owners for some devices (a step of the resolution's trail).</summary>
    public const string OwnerSourceAnswered = "owners.source-answered";
    public const string OwnerSourceEmpty = "owners.source-empty";
    public const string OwnerNotInDirectory = "owners.not-in-directory";
    public const string NoOwner = "owners.none";
    public const string AnswerRecorded = "answer.recorded";
    public const string ResponderRejected = "answer.rejected-responder";
    public const string IncidentUpdated = "incident.updated";
    public const string Cancelled = "question.cancelled";
    public const string Reasked = "question.reasked";
    public const string Expired = "question.expired";
    public const string Reminded = "question.reminded";
    public const string Escalated = "question.escalated";
    /// <summary>A side effect of the question (an incident update, a delivery, a reminder…) failed for good.</summary>
    public const string WorkFailed = "work.failed";
    /// <summary>An incident comment failed for good (on the timeline only: it would be refused as a comment too).</summary>
    public const string CommentFailed = "comment.failed";
}
