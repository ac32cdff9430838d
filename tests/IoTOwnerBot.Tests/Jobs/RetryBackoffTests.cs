using IoTOwnerBot.Jobs;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace IoTOwnerBot.Tests.Jobs;

/// <summary>The one retry schedule: the provider's Retry-After when it gave one, else a jittered backoff that grows and is capped.</summary>
public sealed class RetryBackoffTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 7, 8, 0, 0, TimeSpan.Zero));

    private RetryBackoff Backoff() => new(Options.Create(new JobOptions
    {
        FirstRetryDelay = TimeSpan.FromSeconds(5),
        MaxRetryDelay = TimeSpan.FromMinutes(1),
    }), _clock);

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 10)]
    [InlineData(3, 20)]
    [InlineData(4, 40)]
    [InlineData(5, 60)]
    [InlineData(30, 60)]
    public void WithoutRetryAfter_TheDelayIsHalfToAllOfTheAttemptsCeiling_DoublingUpToTheCap(int attempt, int ceilingSeconds)
    {
        var backoff = Backoff();
        var delays = Enumerable.Range(0, 200).Select(_ => backoff.Delay(attempt)).ToList();

        Assert.All(delays, d => Assert.InRange(d.TotalSeconds, ceilingSeconds / 2.0, ceilingSeconds));
        // Jitter: items that failed together do not all come back together.
        Assert.True(delays.Distinct().Count() > 100);
        Assert.All(Enumerable.Range(0, 50).Select(_ => backoff.Next(attempt)),
            at => Assert.InRange((at - _clock.GetUtcNow()).TotalSeconds, ceilingSeconds / 2.0, ceilingSeconds));
    }

    [Fact]
    public void RetryAfter_IsHonouredAsGiven_EvenShortOrBeyondTheBackoffCap_ButNotPastAnHour()
    {
        var backoff = Backoff();
        var now = _clock.GetUtcNow();

        Assert.Equal(now + TimeSpan.FromSeconds(2), backoff.Next(7, TimeSpan.FromSeconds(2)));
        Assert.Equal(now + TimeSpan.FromMinutes(10), backoff.Next(1, TimeSpan.FromMinutes(10)));
        Assert.Equal(now, backoff.Next(3, TimeSpan.Zero));
        Assert.Equal(now + DurableRetry.MaxRetryAfter, backoff.Next(1, TimeSpan.FromDays(2)));
    }
}
