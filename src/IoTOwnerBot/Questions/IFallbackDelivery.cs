namespace IoTOwnerBot.Questions;

/// <summary>
/// The channel that asks an owner when e-mail cannot, or not in time (Teams, in this service): a channel reaches for it
/// without knowing which one it is. Whether it is used at all is the delivery policy's (<see cref="DeliveryOptions"/>).
/// </summary>
public interface IFallbackDelivery
{
    /// <summary>
    /// Plans asking <paramref name="recipient"/> there, in the caller's unit of work (call it before saving). False when
    /// the delivery mode does not use the fallback, the question is no longer open, or the owner is already asked there.
    /// </summary>
    Task<bool> AskAsync(Question question, Recipient recipient, string reason, CancellationToken ct);
}
