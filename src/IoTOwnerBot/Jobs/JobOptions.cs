using System.ComponentModel.DataAnnotations;

namespace IoTOwnerBot.Jobs;

public sealed class JobOptions
{
    public const string SectionName = "Jobs";

    /// <summary>False for an instance that only serves HTTP and leaves the work to others.</summary>
    public bool RunWorkers { get; set; } = true;

    /// <summary>Items one instance runs at the same time.</summary>
    [Range(1, 64)] public int Concurrency { get; set; } = 4;
    /// <summary>
    /// How long a claimed item belongs to its worker without a heartbeat; the worker renews it while running,
    /// so this is how soon another instance takes over the work of one that died.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:03", "01:00:00")] public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>How often idle workers look for due items (new items wake them at once).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")] public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);
    /// <summary>
    /// While a request a person waits on is in flight (a click, a Teams activity, a SOC action), every worker but the
    /// first waits up to this long before it claims more work (<see cref="PeopleWaiting"/>); zero never waits.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:05")] public TimeSpan YieldToPeople { get; set; } = TimeSpan.FromMilliseconds(250);
    [Range(1, 100)] public int MaxAttempts { get; set; } = 12;
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")] public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(5);
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")] public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How many instances run workers on the same database. A provider's limit (e.g. Teams' calls per second per tenant)
    /// holds for all of them together, so each instance keeps to its share: the limit divided by this count.
    /// </summary>
    [Range(1, 64)] public int Instances { get; set; } = 1;

    /// <summary>This instance's share of a limit that all instances share (at least 1).</summary>
    public int ShareOf(int limit) => Math.Max(1, limit / Instances);
}
