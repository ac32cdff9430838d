namespace IoTOwnerBot.Jobs;

/// <summary>Told, inside the transaction that marks it failed, of a work item that failed for good.</summary>
public interface IWorkFailureObserver
{
    Task FailedAsync(WorkItem item, string reason, DateTimeOffset at, CancellationToken ct);
}
