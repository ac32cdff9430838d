using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Sentinel;

/// <summary>The Sentinel workspaces the service serves and how it talks to them.</summary>
public sealed class SentinelOptions
{
    public const string SectionName = "Sentinel";

    /// <summary>api-version for incidents, comments and alerts (newest stable).</summary>
    [Required] public string ApiVersion { get; set; } = "2025-09-01";

    /// <summary>api-version for the entities call: a preview version, the only kind that carries IoT device owners.</summary>
    [Required] public string EntitiesApiVersion { get; set; } = "2025-07-01-preview";

    public static readonly IReadOnlyList<string> DefaultIoTProductNames = ["Azure Defender for IoT", "Microsoft Defender for IoT"];

    /// <summary>Incidents are kept when one of their alerts comes from one of these products (empty: the defaults).</summary>
    public List<string> IoTProductNames { get; set; } = [];

    /// <summary>How many times an incident update is re-read and re-applied after a 409 (stale etag).</summary>
    [Range(1, 20)] public int UpdateConflictRetries { get; set; } = 5;

    public List<WorkspaceOptions> Workspaces { get; set; } = [];

    public PollerOptions Poller { get; set; } = new();

    /// <summary>ARM's request budget for the service's principal, kept before requests leave.</summary>
    public ArmLimitOptions Arm { get; set; } = new();

    public WorkspaceOptions? FindWorkspace(IncidentRef incident) => Workspaces.FirstOrDefault(w =>
        string.Equals(w.SubscriptionId, incident.SubscriptionId, StringComparison.OrdinalIgnoreCase) &&
        string.Equals(w.ResourceGroup, incident.ResourceGroup, StringComparison.OrdinalIgnoreCase) &&
        string.Equals(w.WorkspaceName, incident.WorkspaceName, StringComparison.OrdinalIgnoreCase));
}

public sealed class WorkspaceOptions
{
    public string SubscriptionId { get; set; } = "";
    public string ResourceGroup { get; set; } = "";
    public string WorkspaceName { get; set; } = "";
    /// <summary>The workspace GUID ("Workspace ID"), used by the Log Analytics query API.</summary>
    public string WorkspaceId { get; set; } = "";

    public string Key => $"/subscriptions/{SubscriptionId}/resourceGroups/{ResourceGroup}/providers/Microsoft.OperationalInsights/workspaces/{WorkspaceName}".ToLowerInvariant();

    public IncidentRef Incident(string incidentName) => new(SubscriptionId, ResourceGroup, WorkspaceName, incidentName);
}

public sealed class PollerOptions
{
    public bool Enabled { get; set; } = true;
    /// <summary>Time between two reads of each workspace's incident list.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(2);
    /// <summary>How far back the first read looks, before any checkpoint exists.</summary>
    public TimeSpan InitialLookback { get; set; } = TimeSpan.FromHours(24);
    /// <summary>Re-read this much before the checkpoint, so clock skew between writers cannot hide an incident.</summary>
    public TimeSpan Overlap { get; set; } = TimeSpan.FromMinutes(5);
    [Range(1, 1000)] public int PageSize { get; set; } = 200;
}

internal sealed class SentinelOptionsDefaults : IPostConfigureOptions<SentinelOptions>
{
    public void PostConfigure(string? name, SentinelOptions options)
    {
        if (options.IoTProductNames.Count == 0) options.IoTProductNames.AddRange(SentinelOptions.DefaultIoTProductNames);
    }
}

internal sealed class SentinelOptionsValidator : IValidateOptions<SentinelOptions>
{
    public ValidateOptionsResult Validate(string? name, SentinelOptions options)
    {
        var failures = new List<string>();
        for (var i = 0; i < options.Workspaces.Count; i++)
        {
            var w = options.Workspaces[i];
            var key = $"Sentinel:Workspaces:{i}";
            if (!Guid.TryParse(w.SubscriptionId, out _)) failures.Add($"{key}:SubscriptionId must be a GUID.");
            if (string.IsNullOrWhiteSpace(w.ResourceGroup)) failures.Add($"{key}:ResourceGroup is required.");
            if (!IncidentRef.TryParse(w.Incident("x0").ArmId, out _)) failures.Add($"{key}:WorkspaceName '{w.WorkspaceName}' is not a valid workspace name.");
            if (!Guid.TryParse(w.WorkspaceId, out _)) failures.Add($"{key}:WorkspaceId must be the workspace GUID (Workspace ID), not its name.");
        }
        if (options.Poller.Interval < TimeSpan.FromSeconds(5)) failures.Add("Sentinel:Poller:Interval must be at least 5 seconds.");
        if (options.Arm.ReadBucket is < 1 or > 100_000) failures.Add("Sentinel:Arm:ReadBucket must be between 1 and 100000.");
        if (options.Arm.ReadsPerSecond is < 1 or > 10_000) failures.Add("Sentinel:Arm:ReadsPerSecond must be between 1 and 10000.");
        if (options.Arm.WriteBucket is < 1 or > 100_000) failures.Add("Sentinel:Arm:WriteBucket must be between 1 and 100000.");
        if (options.Arm.WritesPerSecond is < 1 or > 10_000) failures.Add("Sentinel:Arm:WritesPerSecond must be between 1 and 10000.");
        if (options.Arm.MaxWait < TimeSpan.Zero || options.Arm.MaxWait > TimeSpan.FromMinutes(1)) failures.Add("Sentinel:Arm:MaxWait must be between 00:00:00 and 00:01:00.");
        if (!options.ApiVersion.StartsWith("20", StringComparison.Ordinal)) failures.Add("Sentinel:ApiVersion must look like 2025-09-01.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
