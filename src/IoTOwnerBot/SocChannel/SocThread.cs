namespace IoTOwnerBot.SocChannel;

/// <summary>
/// The SOC channel thread of one incident (all rounds share it): where it is, and what its root card shows.
/// The row is inserted before the thread is created (<see cref="CreatingSince"/>), so only one worker creates it.
/// </summary>
public sealed class SocThread
{
    /// <summary>Normalized ARM id of the incident (as <c>Question.IncidentKey</c>).</summary>
    public required string IncidentKey { get; set; }
    public required string ServiceUrl { get; set; }
    public required string ChannelId { get; set; }
    /// <summary>The thread's conversation id (<c>{channelId};messageid={rootId}</c>); null until Teams confirmed it.</summary>
    public string? ConversationId { get; set; }
    public string? RootActivityId { get; set; }
    /// <summary>Set while a worker creates the thread; a creation left unconfirmed this long ago is taken over.</summary>
    public DateTimeOffset? CreatingSince { get; set; }
    /// <summary>What the root card shows: question id and state (<see cref="SocThreadCards.Signature"/>).</summary>
    public string? RootShows { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
