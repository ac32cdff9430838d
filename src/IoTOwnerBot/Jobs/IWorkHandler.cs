namespace IoTOwnerBot.Jobs;

/// <summary>Runs one kind of work item. Must be idempotent: a crash after its side effect runs it again.</summary>
public interface IWorkHandler
{
    Task<WorkResult> RunAsync(WorkItem item, CancellationToken ct);
}
