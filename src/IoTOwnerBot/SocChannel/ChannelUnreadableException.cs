using IoTOwnerBot.Jobs;

namespace IoTOwnerBot.SocChannel;

/// <summary>The SOC channel could not be read now (throttled, 5xx, unreachable): the work tries again, nothing was posted.</summary>
public sealed class ChannelUnreadableException(string reason, TimeSpan? retryAfter) : Exception(reason), IRemoteFailure
{
    public bool IsTransient => true;
    public TimeSpan? RetryAfter { get; } = retryAfter;
}
