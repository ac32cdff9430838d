namespace IoTOwnerBot.Teams;

/// <summary>
/// A conversation reference: how to reach one user in a 1:1 chat with the bot. Kept durably, updated from each of the
/// user's activities (multi-geo users can move between service URLs), keyed by tenant and Entra object id.
/// </summary>
public sealed class TeamsConversation
{
    public long Id { get; set; }
    public required string TenantId { get; set; }
    public required string UserObjectId { get; set; }
    /// <summary>The bot-scoped <c>29:</c> id, once an activity or the member list told us.</summary>
    public string? TeamsUserId { get; set; }
    public required string ServiceUrl { get; set; }
    public required string ConversationId { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

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
