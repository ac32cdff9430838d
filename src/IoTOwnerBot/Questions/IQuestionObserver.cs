namespace IoTOwnerBot.Questions;

/// <summary>
/// Something that shows a question elsewhere (Teams cards, the SOC thread): when the question is decided — answered,
/// expired or cancelled — it plans durable work in the decision's own unit of work, e.g. updating its cards so every
/// view shows the outcome.
/// </summary>
public interface IQuestionObserver
{
    Task DecidedAsync(Question question, DateTimeOffset now, CancellationToken ct);
}
