namespace IoTOwnerBot.Teams;

/// <summary>What reading an owner's chat said about an earlier post.</summary>
public abstract record ChatLookup
{
    /// <summary>The post is in the chat; <paramref name="ActivityId"/> is its id (Graph's message id is the activity id).</summary>
    public sealed record Found(string ActivityId) : ChatLookup;

    /// <summary>The chat was read back to before the work began and the post is not in it.</summary>
    public sealed record NotThere : ChatLookup;

    /// <summary>The chat could not be read now (throttled, 5xx, no answer): look again later.</summary>
    public sealed record Later(string Reason, TimeSpan? RetryAfter) : ChatLookup;

    /// <summary>The chat cannot be read at all (permission missing, app id not configured): the platform cannot tell.</summary>
    public sealed record CannotTell(string Reason) : ChatLookup;
}
