namespace IoTOwnerBot.Sentinel;

/// <summary>
/// Azure Resource Manager's token buckets for the service's principal (configuration section <c>Sentinel:Arm</c>):
/// per subscription, reads and writes each have a bucket that refills at a steady rate. The defaults are Azure's.
/// </summary>
public sealed class ArmLimitOptions
{
    public int ReadBucket { get; set; } = 250;
    public int ReadsPerSecond { get; set; } = 25;
    public int WriteBucket { get; set; } = 200;
    public int WritesPerSecond { get; set; } = 10;

    /// <summary>A request waits at most this long for a token; one that would wait longer goes back to the work queue unsent.</summary>
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromSeconds(5);
}
