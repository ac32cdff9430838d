using IoTOwnerBot.Jobs;

namespace IoTOwnerBot.Questions;

/// <summary>Durable work: expire a question at its deadline (a no-op if it was answered or cancelled first).</summary>
public sealed record ExpireWork(Guid QuestionId) : IWork
{
    public static string Kind => "question.expire";
}

internal sealed class ExpireWorkHandler(QuestionLifecycle lifecycle) : IWorkHandler
{
    public async Task<WorkResult> RunAsync(WorkItem item, CancellationToken ct)
    {
        await lifecycle.ExpireAsync(item.ReadPayload<ExpireWork>().QuestionId, ct);
        return WorkResult.Done;
    }
}
