using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Jobs;

/// <summary>
/// When durable work that failed for a passing reason is tried again: at the provider's <c>Retry-After</c> when it gave
/// one (at most <see cref="DurableRetry.MaxRetryAfter"/>), otherwise after an exponential backoff from
/// <see cref="JobOptions.FirstRetryDelay"/>, capped at <see cref="JobOptions.MaxRetryDelay"/>, with jitter, so items that
/// failed together do not all come back together. The one schedule for the dispatcher and for every handler that catches
/// a transient failure itself.
/// </summary>
public sealed class RetryBackoff(IOptions<JobOptions> options, TimeProvider time)
{
    private readonly JobOptions _options = options.Value;

    /// <summary>The wait before attempt <paramref name="attempt"/> + 1: between half and all of the attempt's ceiling.</summary>
    public TimeSpan Delay(int attempt)
    {
        var ceiling = Math.Min(_options.MaxRetryDelay.TotalMilliseconds,
            _options.FirstRetryDelay.TotalMilliseconds * Math.Pow(2, Math.Max(0, attempt - 1)));
        return TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
    }

    /// <summary>When to try again after attempt <paramref name="attempt"/> failed, honouring what the provider asked for.</summary>
    public DateTimeOffset Next(int attempt, TimeSpan? retryAfter = null) =>
        time.GetUtcNow() + DurableRetry.Wait(retryAfter, Delay, attempt);
}
