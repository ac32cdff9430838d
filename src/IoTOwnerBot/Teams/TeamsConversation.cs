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
