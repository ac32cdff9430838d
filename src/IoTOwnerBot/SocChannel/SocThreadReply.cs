namespace IoTOwnerBot.SocChannel;

/// <summary>
/// One reply (a timeline event) in a SOC thread. <see cref="AttemptedAt"/> is saved before the reply is posted and
/// <see cref="ActivityId"/> after, so a run that finds an attempt without an id knows the post may have reached Teams.
/// </summary>
public sealed class SocThreadReply
{
    /// <summary>The reply id fixed when the event was recorded.</summary>
    public Guid Id { get; set; }
    public required string IncidentKey { get; set; }
    public Guid QuestionId { get; set; }
    public DateTimeOffset? AttemptedAt { get; set; }
    public string? ActivityId { get; set; }
    /// <summary>sent, uncertain (an attempt may have reached Teams; not repeated) or failed.</summary>
    public string? Outcome { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
}
