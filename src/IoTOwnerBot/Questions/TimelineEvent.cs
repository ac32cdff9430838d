namespace IoTOwnerBot.Questions;

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
