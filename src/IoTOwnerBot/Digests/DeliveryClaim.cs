namespace IoTOwnerBot.Digests;

/// <summary>
/// Who delivers a question to one owner in one channel: a digest, or the question's own message (no digest). Unique per
/// question, channel and owner, so two workers can never both deliver it, alone or in two digests.
/// </summary>
public sealed class DeliveryClaim
{
    public long Id { get; set; }
    public Guid QuestionId { get; set; }
    public required string Channel { get; set; }
    public required string RecipientKey { get; set; }
    /// <summary>Null: the question is delivered on its own.</summary>
    public Guid? DigestId { get; set; }
    /// <summary>Place in the digest card (0-based).</summary>
    public int Position { get; set; }
    public DateTimeOffset ClaimedAt { get; set; }
}
