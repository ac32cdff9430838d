using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using IoTOwnerBot.Jobs;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Sentinel;

/// <summary>
/// Keeps Sentinel calls inside ARM's token buckets before they leave, instead of learning the limit by 429: one bucket
/// per subscription and operation kind (GET reads; PUT, POST and PATCH writes), as ARM counts them for one principal.
/// With several instances each keeps to its share (<see cref="JobOptions.Instances"/>). ARM says on every answer how
/// much is left (<c>x-ms-ratelimit-remaining-subscription-reads|writes</c>); when that is less than this instance
/// believes (another client of the same principal, a restart), the bucket drops to it, and a 429 empties it. A request
/// waits for its token on the service's clock, at most <see cref="ArmLimitOptions.MaxWait"/>; one that would wait longer
/// goes back to the work queue unsent, due when its token will be there.
/// </summary>
public sealed class ArmBudget(IOptions<SentinelOptions> options, IOptions<JobOptions> jobs, TimeProvider time)
{
    private readonly ConcurrentDictionary<(string Subscription, ArmOperation Kind), Bucket> _buckets = new();
    private readonly ArmLimitOptions _limits = options.Value.Arm;
    private readonly int _instances = jobs.Value.Instances;

    public async Task AcquireAsync(string subscription, ArmOperation kind, CancellationToken ct)
    {
        var wait = BucketOf(subscription, kind).Take(_limits.MaxWait, out var ready);
        if (wait is null)
            throw new NotSentException(string.Create(CultureInfo.InvariantCulture,
                $"ARM {Name(kind)} budget for subscription {subscription} is spent for {ready.TotalSeconds:0.###} s; the request waits for it."))
            {
                At = time.GetUtcNow() + ready,
            };
        if (wait > TimeSpan.Zero) await Task.Delay(wait.Value, time, ct);
    }

    /// <summary>
    /// What ARM said is left (from its answer), or that it throttled: this instance's bucket is not fuller than that. A
    /// 429 empties it until its Retry-After (throttling below ARM's own buckets, by the resource provider, can last
    /// minutes), so no other request goes out before ARM asked for one.
    /// </summary>
    public void Observe(string subscription, ArmOperation kind, HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            var wait = DurableRetry.RetryAfter(response.Headers.RetryAfter, time.GetUtcNow()) ?? TimeSpan.Zero;
            if (wait > DurableRetry.MaxRetryAfter) wait = DurableRetry.MaxRetryAfter;
            BucketOf(subscription, kind).EmptyFor(wait);
        }
        else if (Remaining(response, kind) is { } remaining) BucketOf(subscription, kind).AtMost((double)remaining / _instances);
    }

    /// <summary>Tokens this instance may spend at once now (negative: promised to requests that wait).</summary>
    internal double Available(string subscription, ArmOperation kind) => BucketOf(subscription, kind).Available;

    private Bucket BucketOf(string subscription, ArmOperation kind) =>
        _buckets.GetOrAdd((subscription.ToLowerInvariant(), kind), key => key.Kind == ArmOperation.Read
            ? new Bucket((double)_limits.ReadBucket / _instances, (double)_limits.ReadsPerSecond / _instances, time)
            : new Bucket((double)_limits.WriteBucket / _instances, (double)_limits.WritesPerSecond / _instances, time));

    private static long? Remaining(HttpResponseMessage response, ArmOperation kind) =>
        response.Headers.TryGetValues($"x-ms-ratelimit-remaining-subscription-{Name(kind)}", out var values) &&
        long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var left)
            ? left
            : null;

    private static string Name(ArmOperation kind) => kind == ArmOperation.Read ? "reads" : "writes";

    /// <summary>
    /// A token bucket on the service's clock. A request takes its token at once, possibly one that is still to come
    /// (the count goes below zero): requests are served in the order they asked, each told how long to wait. A request
    /// refused because its wait would be too long is told a time of its own, one token after the last one told: a storm of
    /// queued work comes back at ARM's rate, not all at once at the next token (each of those would be refused again).
    /// </summary>
    private sealed class Bucket(double size, double perSecond, TimeProvider time)
    {
        private readonly Lock _lock = new();
        private double _tokens = Math.Max(1, size);
        private DateTimeOffset _at = time.GetUtcNow();
        private DateTimeOffset _lastToldAt = DateTimeOffset.MinValue;

        public double Available
        {
            get
            {
                lock (_lock) return Refilled();
            }
        }

        /// <summary>
        /// The wait until the caller's token is there, or null (nothing taken) when that is longer than
        /// <paramref name="maxWait"/>; then <paramref name="ready"/> is when to ask again.
        /// </summary>
        public TimeSpan? Take(TimeSpan maxWait, out TimeSpan ready)
        {
            lock (_lock)
            {
                var tokens = Refilled();
                ready = tokens >= 1 ? TimeSpan.Zero : TimeSpan.FromSeconds((1 - tokens) / perSecond);
                if (ready > maxWait)
                {
                    var now = time.GetUtcNow();
                    var at = now + ready;
                    var afterLast = _lastToldAt + TimeSpan.FromSeconds(1 / perSecond);
                    if (afterLast > at) at = afterLast;
                    _lastToldAt = at;
                    ready = at - now;
                    return null;
                }
                _tokens = tokens - 1;
                return ready;
            }
        }

        /// <summary>Empty, and the next token not before <paramref name="wait"/> has passed (the count goes below zero by what refills meanwhile).</summary>
        public void EmptyFor(TimeSpan wait) => AtMost(Math.Min(0, 1 - (wait.TotalSeconds * perSecond)));

        public void AtMost(double left)
        {
            lock (_lock)
            {
                var tokens = Refilled();
                if (left < tokens) _tokens = left;
            }
        }

        private double Refilled()
        {
            var now = time.GetUtcNow();
            if (now > _at)
            {
                _tokens = Math.Min(Math.Max(1, size), _tokens + (now - _at).TotalSeconds * perSecond);
                _at = now;
            }
            return _tokens;
        }
    }
}
