using IoTOwnerBot.Jobs;
using IoTOwnerBot.Teams;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Tests.Teams;

public sealed class TeamsRateShareTests
{
    [Theory]
    [InlineData(1, 7, 30)]
    [InlineData(2, 3, 15)]
    [InlineData(4, 1, 7)]
    [InlineData(64, 1, 1)]
    public void EachInstance_KeepsToItsShareOfTeamsLimits(int instances, int perConversation, int tenant)
    {
        using var limits = new TeamsRateLimits(Options.Create(new BotOptions()), Options.Create(new JobOptions { Instances = instances }));

        Assert.Equal(perConversation, limits.PerConversationPerSecond);
        Assert.Equal(tenant, limits.TenantPerSecond);
        // The tenant bucket holds this instance's share and no more: a burst gets that many at once, the rest waits.
        Assert.Equal(tenant, limits.TenantPermitsAvailable);
    }
}
