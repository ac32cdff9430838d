namespace IoTOwnerBot.Digests;

public enum ClaimMode
{
    /// <summary>As <see cref="DigestOptions.Window"/> says: with digests off, nothing is claimed.</summary>
    Window,
    /// <summary>Gather the owner's waiting questions into a digest even with digests off; with too few, claim nothing.</summary>
    Gather,
    /// <summary>Claim the question for its own send (unless it is in a digest already).</summary>
    Alone,
}
