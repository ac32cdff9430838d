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

public enum OwnerSource { Payload, EntitiesApi, LogAnalytics, Directory, Fallback, Escalation }

/// <summary>One round of asking the owners of one incident's IoT devices.</summary>
public sealed class Question
{
    public Guid Id { get; set; }

    /// <summary>Normalized (lower-case) ARM id of the incident; with <see cref="Round"/> the natural key.</summary>
    public required string IncidentKey { get; set; }
    public int Round { get; set; } = 1;

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

    public QuestionState State { get; set; }
    public OwnerAnswer? Answer { get; set; }
    public string? AnsweredBy { get; set; }
    public string? AnswerChannel { get; set; }
    public DateTimeOffset? AnsweredAt { get; set; }

    /// <summary>Card template versions this question was sent with, as "card@channel" → version.</summary>
    public Dictionary<string, string> CardVersions { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>Bumped by every state change; conditional updates compare it so two instances never both win.</summary>
    public int Version { get; set; }

    public List<QuestionDevice> Devices { get; set; } = [];
    public List<Recipient> Recipients { get; set; } = [];
    public List<TimelineEvent> Timeline { get; set; } = [];
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

/// <summary>One step of a question's life, in order; mirrored to the incident as a comment where it says so.</summary>
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
    public const string OwnersResolved = "owners.resolved";
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
}
