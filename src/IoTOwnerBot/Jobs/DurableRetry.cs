using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.Kiota.Abstractions;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Timeout;

namespace IoTOwnerBot.Jobs;

/// <summary>
/// The one retry policy of durable work. The in-request pipeline of each client is light (at most one quick retry of a
/// request that failed on the way); everything after that is decided here, from what the failure says:
/// <list type="bullet">
/// <item>not sent (circuit breaker open, rate limiter full): scheduled again and the attempt is given back, so a breaker
/// that opens under sustained faults never uses up an item's attempts;</item>
/// <item>transient (408, 409, 429, 5xx, timeout, lost connection): scheduled for the service's <c>Retry-After</c>, or a capped,
/// jittered backoff, and tried again however long it takes: the effect is never abandoned;</item>
/// <item>a permanent answer (any other 4xx): the item fails for good, which the dispatcher puts on the question's
/// timeline, the <c>iotownerbot.work.failed</c> metric and <c>/readyz</c>.</item>
/// </list>
/// Anything else (a defect, say) keeps the attempt limit of <see cref="JobOptions.MaxAttempts"/>.
/// </summary>
public static class DurableRetry
{
    /// <summary>A <c>Retry-After</c> further out than this is read as this: a wrong header must not park work for days.</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromHours(1);

    /// <summary>The result for an exception a handler let through; null when it says nothing about the remote side.</summary>
    public static WorkResult? Classify(Exception ex, DateTimeOffset now, Func<int, TimeSpan> backoff, int attempt)
    {
        ArgumentNullException.ThrowIfNull(ex);
        ArgumentNullException.ThrowIfNull(backoff);
        var reason = $"{ex.GetType().Name}: {ex.Message}";
        switch (ex)
        {
            case NotSentException { At: { } at }:
                return WorkResult.NotSent(at, reason);
            case BrokenCircuitException or RateLimiterRejectedException or NotSentException:
                // The first step of the backoff: about as long as a breaker stays open, and no attempt was spent.
                return WorkResult.NotSent(now + backoff(1), reason);
            case IRemoteFailure remote:
                return remote.IsTransient ? WorkResult.Later(At(now, remote.RetryAfter, backoff, attempt), reason) : WorkResult.Fail(reason);
            case ApiException api when api.ResponseStatusCode > 0:
                return IsTransient(api.ResponseStatusCode)
                    ? WorkResult.Later(At(now, RetryAfter(api.ResponseHeaders, now), backoff, attempt), reason)
                    : WorkResult.Fail(reason);
            case HttpRequestException { StatusCode: { } status }:
                return IsTransient((int)status) ? WorkResult.Later(now + backoff(attempt), reason) : WorkResult.Fail(reason);
            case HttpRequestException or TimeoutRejectedException or TimeoutException or TaskCanceledException or IOException:
                // No answer at all: a lost connection or a timeout. Whether it arrived is unknown; handlers are idempotent.
                return WorkResult.Later(now + backoff(attempt), reason);
            default:
                return null;
        }
    }

    /// <summary>
    /// Status codes worth trying again for every endpoint the service calls: 408 (timeout), 409 (a concurrent change:
    /// Sentinel's etag conflict, re-read on retry), 412 (Bot Connector's precondition), 429 and 5xx. Every other 4xx is
    /// an answer that a retry would get again.
    /// </summary>
    public static bool IsTransient(int status) => status is 408 or 409 or 412 or 429 or >= 500;

    /// <summary>A <c>Retry-After</c> header, in seconds or as an HTTP date read against the service's clock.</summary>
    public static TimeSpan? RetryAfter(RetryConditionHeaderValue? header, DateTimeOffset now) =>
        header?.Delta ?? (header?.Date is { } at ? Positive(at - now) : null);

    /// <summary>The same, from a header dictionary (Graph's errors carry their headers that way).</summary>
    public static TimeSpan? RetryAfter(IDictionary<string, IEnumerable<string>>? headers, DateTimeOffset now)
    {
        if (headers is null) return null;
        var value = headers.FirstOrDefault(h => string.Equals(h.Key, "Retry-After", StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault();
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)) return TimeSpan.FromSeconds(seconds);
        return DateTimeOffset.TryParseExact(value.Trim(), "R", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? Positive(at - now) : null;
    }

    private static TimeSpan Positive(TimeSpan delay) => delay > TimeSpan.Zero ? delay : TimeSpan.Zero;

    private static DateTimeOffset At(DateTimeOffset now, TimeSpan? retryAfter, Func<int, TimeSpan> backoff, int attempt) =>
        now + Wait(retryAfter, backoff, attempt);

    /// <summary>The provider's <c>Retry-After</c>, at most <see cref="MaxRetryAfter"/>; without one, the backoff of the attempt.</summary>
    internal static TimeSpan Wait(TimeSpan? retryAfter, Func<int, TimeSpan> backoff, int attempt) =>
        retryAfter is { } delay ? (delay > MaxRetryAfter ? MaxRetryAfter : delay) : backoff(attempt);
}
