namespace IoTOwnerBot.Jobs;

/// <summary>A call that never left the process (a limiter refused it): sending it later cannot duplicate anything.</summary>
public sealed class NotSentException(string message) : Exception(message)
{
    /// <summary>When the limiter will let it through, if it knows.</summary>
    public DateTimeOffset? At { get; init; }
}
