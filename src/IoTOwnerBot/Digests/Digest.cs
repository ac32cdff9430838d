namespace IoTOwnerBot.Digests;

/// <summary>
/// One message that asks one owner several questions at once (an incident storm on their devices), in one channel.
/// The questions it carries are its <see cref="Items"/>, in the order the card lists them.
/// </summary>
public sealed class Digest
{
    public Guid Id { get; set; }

    /// <summary><c>Outlook</c> or <c>Teams</c>.</summary>
    public required string Channel { get; set; }

    /// <summary>The owner as the channel's send work names them: lower-case mail (Outlook) or Entra object id (Teams).</summary>
    public required string RecipientKey { get; set; }

    /// <summary>Fixed before the first attempt; the e-mail carries it, so a retry finds it in Sent Items instead of sending twice.</summary>
    public Guid DeliveryId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }

    /// <summary>Card template versions the digest was sent with, as "card/channel" → version.</summary>
    public Dictionary<string, string> CardVersions { get; set; } = [];

    /// <summary>Teams: where the card was posted, so it can be updated in place.</summary>
    public string? ServiceUrl { get; set; }
    public string? ConversationId { get; set; }
    public string? ActivityId { get; set; }

    /// <summary>Teams: the item states the posted card shows, so an update is sent only when something changed.</summary>
    public string? ShowsState { get; set; }

    public List<DeliveryClaim> Items { get; set; } = [];
}
