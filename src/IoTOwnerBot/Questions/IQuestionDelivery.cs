namespace IoTOwnerBot.Questions;

/// <summary>
/// A channel that asks owners (Outlook, Teams). It plans its durable work for a new open question in the
/// question's own unit of work, so the question and its deliveries are saved together or not at all.
/// </summary>
public interface IQuestionDelivery
{
    /// <summary>Plans asking every recipient of a new question (or a new round).</summary>
    void Plan(Question question, DateTimeOffset now);

    /// <summary>Plans asking recipients added later, e.g. a manager the question was escalated to.</summary>
    void PlanFor(Question question, IReadOnlyList<Recipient> recipients, DateTimeOffset now);

    /// <summary>Plans reminder number <paramref name="reminder"/> to the recipients this channel already asked.</summary>
    Task RemindAsync(Question question, int reminder, DateTimeOffset now, CancellationToken ct);
}
