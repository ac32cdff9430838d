namespace IoTOwnerBot.Jobs;

/// <summary>
/// A failed call to a remote service, as its typed client reports it: whether trying again can help, and when the
/// service asked to be called again.
/// </summary>
public interface IRemoteFailure
{
    /// <summary>Throttling, server trouble, a timeout or a conflict: the same request may succeed later.</summary>
    bool IsTransient { get; }

    /// <summary>The service's <c>Retry-After</c>, when it sent one.</summary>
    TimeSpan? RetryAfter { get; }
}
