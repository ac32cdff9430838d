using IoTOwnerBot.Jobs;
using IoTOwnerBot.Teams;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Tests.Teams;

public sealed class TeamsRateShareTests
{
    [Theory]
    [InlineData(1, 6, 2.1, 30)]
    [InlineData(2, 3, 4.2, 15)]
    [InlineData(4, 1, 8.4, 7)]
    [InlineData(64, 1, 134.4, 1)]
    public void EachInstance_KeepsToItsShareOfTeamsLimits(int instances, int burst, double intervalSeconds, int tenant)
    {
        using var limits = new TeamsRateLimits(Options.Create(new BotOptions()), Options.Create(new JobOptions { Instances = instances }));

        Assert.Equal(burst, limits.ConversationBurst);
        Assert.Equal(TimeSpan.FromSeconds(intervalSeconds), limits.ConversationInterval);
        Assert.Equal(tenant, limits.TenantPerSecond);
        // The tenant bucket holds this instance's share and no more: a burst gets that many at once, the rest waits.
        Assert.Equal(tenant, limits.TenantPermitsAvailable);
    }

    /// <summary>Teams' per-conversation table: no window of it may hold more calls than the bucket can admit in it.</summary>
    [Theory]
    [InlineData(1, 7)]
    [InlineData(2, 8)]
    [InlineData(30, 60)]
    [InlineData(3600, 1800)]
    public void TheConversationBucket_StaysInsideEveryWindowOfTeamsTable(int windowSeconds, int teamsLimit)
    {
        using var limits = new TeamsRateLimits(Options.Create(new BotOptions()), Options.Create(new JobOptions()));

        // A full bucket, then one token per interval: the most a window of W seconds can see.
        var most = limits.ConversationBurst + (int)Math.Ceiling(windowSeconds / limits.ConversationInterval.TotalSeconds);
        Assert.True(most <= teamsLimit, $"{most} calls could fall in {windowSeconds} s; Teams allows {teamsLimit}.");
    }
}
