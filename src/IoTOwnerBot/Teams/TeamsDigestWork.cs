using IoTOwnerBot.Jobs;

namespace IoTOwnerBot.Teams;

/// <summary>Durable work: send one digest card (several questions, one owner) to the owner's 1:1 chat.</summary>
public sealed record TeamsDigestWork(Guid DigestId) : IWork
{
    public static string Kind => "teams.digest";
}

/// <summary>
/// <c>teams.digest</c>: an owner's waiting questions as one digest card in their chat with the bot. The post, its
/// record and the look in the chat after an uncertain post are the single card's (<see cref="TeamsSendWorkHandler"/>).
/// </summary>
public sealed class TeamsDigestWorkHandler(TeamsSendWorkHandler send) : IWorkHandler
{
    public Task<WorkResult> RunAsync(WorkItem item, CancellationToken ct) => send.RunDigestAsync(item, ct);
}
