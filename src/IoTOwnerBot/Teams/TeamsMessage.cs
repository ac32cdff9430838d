namespace IoTOwnerBot.Teams;

/// <summary>A question card in one owner's chat: sent once, then updated in place with the outcome.</summary>
public sealed class TeamsMessage
{
    public long Id { get; set; }
    public Guid QuestionId { get; set; }
    public required string RecipientObjectId { get; set; }
    public required string ServiceUrl { get; set; }
    public required string ConversationId { get; set; }
    /// <summary>Null until the Bot Connector confirmed the send.</summary>
    public string? ActivityId { get; set; }
    /// <summary>Opaque id of this card, in its Action.Execute data.</summary>
    public required string CardToken { get; set; }
    /// <summary>What the card shows: open, answered, expired, cancelled.</summary>
    public required string ShowsState { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    public DateTimeOffset? UpdatedAt { get; set; }
}
