namespace IoTOwnerBot.Incidents;

/// <summary>How far the reconciliation poller has read a workspace's incident list.</summary>
public sealed class PollerCheckpoint
{
    public required string WorkspaceKey { get; set; }
    public DateTimeOffset LastModifiedUtc { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
