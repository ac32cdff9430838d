namespace IoTOwnerBot.Jobs;

/// <summary>
/// The payload of one kind of durable work: a record per kind, named by <see cref="Kind"/> (stored in
/// <c>work_items.Kind</c>, so a name never changes once released). <see cref="WorkQueueExtensions.Enqueue{T}"/> takes the
/// kind from the record, and <see cref="WorkRegistration.AddWork{TWork,THandler}"/> binds it to its handler.
/// </summary>
public interface IWork
{
    static abstract string Kind { get; }
}
