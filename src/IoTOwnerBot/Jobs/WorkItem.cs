namespace IoTOwnerBot.Jobs;

/// <summary>
/// Durable work: something that must happen later or be retried. Claimed by one conditional update
/// (a lease), so a crashed worker's item is picked up again when its lease runs out, and two
/// instances never run the same item at once. Handlers are idempotent, so a re-run after a crash
/// between the side effect and <c>Succeeded</c> repeats nothing.
/// </summary>
public sealed class WorkItem
{
    public Guid Id { get; set; }
    public required string Kind { get; set; }
    /// <summary>Unique: enqueueing the same logical work twice is one item.</summary>
    public required string DedupeKey { get; set; }
    public Guid? QuestionId { get; set; }
    /// <summary>Items of one lane run one at a time in <see cref="Sequence"/> order (e.g. a question's comments, so the incident reads in order).</summary>
    public string? Lane { get; set; }
    /// <summary>Order within a lane: increasing in the order items were enqueued.</summary>
    public long Sequence { get; set; }
    public required string Payload { get; set; }
    public WorkStatus Status { get; set; }
    public DateTimeOffset DueAt { get; set; }
    public int Attempts { get; set; }
    public string? LeaseOwner { get; set; }
    public DateTimeOffset? LeaseUntil { get; set; }
    public string? LastError { get; set; }
    /// <summary>
    /// When an attempt last started a side effect that a provider may carry out without our knowing (sendMail, a
    /// Teams post). Committed before the call and kept when the attempt is handed back or fails, so every later
    /// attempt knows it must first find out whether the effect already happened.
    /// </summary>
    public DateTimeOffset? EffectStartedAt { get; set; }
    /// <summary>What the effect says (e.g. a comment's text), decided once before it is first written and replayed by every re-run.</summary>
    public string? EffectText { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
}
