namespace IoTOwnerBot.Questions;

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
