using System.Threading.RateLimiting;
using IoTOwnerBot.Jobs;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Teams;

/// <summary>
/// Teams' limits, kept before a request leaves: per conversation one request at a time and a token bucket that stays
/// inside every window of Teams' per-conversation table (7 in 1 s, 8 in 2 s, 60 in 30 s, 1,800 in an hour): a burst of
/// <see cref="ConversationBurst"/> and one more every <see cref="ConversationInterval"/> admit at most 6 + ⌈W / 2.1 s⌉
/// calls in any W seconds. The tenant has its own bucket (30/s). Requests wait for a permit instead of earning a 429.
/// The limits are Teams' for the bot as a whole, so with several instances each keeps to its share (<see cref="JobOptions.Instances"/>).
/// </summary>
public sealed class TeamsRateLimits : IDisposable
{
    private const int Burst = 6;
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2.1);

    private readonly PartitionedRateLimiter<string> _perConversation;
    private readonly TokenBucketRateLimiter _tenant;

    public TeamsRateLimits(IOptions<BotOptions> options, IOptions<JobOptions> jobs)
    {
        var o = options.Value;
        ConversationBurst = jobs.Value.ShareOf(Burst);
        ConversationInterval = Interval * jobs.Value.Instances;
        TenantPerSecond = jobs.Value.ShareOf(o.RequestsPerSecondPerTenant);
        var bucket = PartitionedRateLimiter.Create<string, string>(conversation => RateLimitPartition.GetTokenBucketLimiter(conversation, _ =>
            new TokenBucketRateLimiterOptions
            {
                TokenLimit = ConversationBurst,
                TokensPerPeriod = 1,
                ReplenishmentPeriod = ConversationInterval,
                QueueLimit = 10_000,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                AutoReplenishment = true,
            }));
        var serial = PartitionedRateLimiter.Create<string, string>(conversation => RateLimitPartition.GetConcurrencyLimiter(conversation, _ =>
            new ConcurrencyLimiterOptions { PermitLimit = 1, QueueLimit = 10_000, QueueProcessingOrder = QueueProcessingOrder.OldestFirst }));
        _perConversation = PartitionedRateLimiter.CreateChained(serial, bucket);
        _tenant = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = TenantPerSecond,
            TokensPerPeriod = TenantPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 10_000,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    /// <summary>This instance's calls at once per conversation before the pacing starts.</summary>
    public int ConversationBurst { get; }

    /// <summary>This instance's pace per conversation after the burst: one call per interval.</summary>
    public TimeSpan ConversationInterval { get; }

    /// <summary>This instance's calls per second for the tenant.</summary>
    public int TenantPerSecond { get; }

    /// <summary>Tenant permits left in the current second.</summary>
    internal long TenantPermitsAvailable => _tenant.GetStatistics()?.CurrentAvailablePermits ?? 0;

    public async Task<IDisposable> AcquireAsync(string conversation, CancellationToken ct)
    {
        var tenant = await _tenant.AcquireAsync(1, ct);
        var own = await _perConversation.AcquireAsync(conversation, 1, ct);
        if (!tenant.IsAcquired || !own.IsAcquired)
        {
            tenant.Dispose();
            own.Dispose();
            throw new NotSentException("Bot Connector rate limit queue is full.");
        }
        return new Leases(tenant, own);
    }

    public void Dispose()
    {
        _perConversation.Dispose();
        _tenant.Dispose();
    }

    private sealed class Leases(RateLimitLease a, RateLimitLease b) : IDisposable
    {
        public void Dispose()
        {
            a.Dispose();
            b.Dispose();
        }
    }
}
