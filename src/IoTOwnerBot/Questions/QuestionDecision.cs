namespace IoTOwnerBot.Questions;

/// <summary>What ends an open question: an owner's answer, the deadline, or the SOC.</summary>
public abstract record QuestionDecision(string Actor)
{
    /// <summary>An answer or silence changes the incident (durable incident update); a cancellation does not.</summary>
    public abstract bool UpdatesIncident { get; }
}

/// <summary>
/// An owner (or their delegate) answered in <paramref name="Channel"/>; <paramref name="SingleUseKey"/> is the card token's
/// nonce, <paramref name="ByObjectId"/> the responder's verified object id, <paramref name="ForRecipientId"/> the recipient answered for.
/// </summary>
public sealed record AnswerDecision(OwnerAnswer Answer, string By, string Channel, string? SingleUseKey = null, string? ByObjectId = null, long? ForRecipientId = null)
    : QuestionDecision(By)
{
    public override bool UpdatesIncident => true;
}

/// <summary>Nobody answered before the deadline.</summary>
public sealed record ExpireDecision() : QuestionDecision(QuestionService.Actor)
{
    public override bool UpdatesIncident => true;
}

/// <summary>The SOC cancelled the question (<paramref name="Reason"/> optional).</summary>
public sealed record CancelDecision(string By, string? Reason) : QuestionDecision(By)
{
    public override bool UpdatesIncident => false;
}
