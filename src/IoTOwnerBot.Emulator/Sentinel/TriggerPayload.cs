using System.Text.Json.Serialization;

using IoTOwnerBot.Emulator.Hosting;

namespace IoTOwnerBot.Emulator.Sentinel;

/// <summary>The Sentinel automation-rule incident trigger body (reference/sentinel.md §4).</summary>
public sealed record TriggerPayload(
    string EventUniqueId,
    string ObjectSchemaType,
    string ObjectEventType,
    string WorkspaceId,
    TriggerWorkspaceInfo WorkspaceInfo,
    [property: JsonPropertyName("object")] TriggerIncident Incident);

/// <summary>PascalCase on the wire, as in captured payloads.</summary>
public sealed record TriggerWorkspaceInfo(
    [property: JsonPropertyName("SubscriptionId")] string SubscriptionId,
    [property: JsonPropertyName("ResourceGroupName")] string ResourceGroupName,
    [property: JsonPropertyName("WorkspaceName")] string WorkspaceName);

public sealed record TriggerIncident(string Id, string Name, string Etag, string Type, TriggerIncidentProperties Properties);

public sealed record TriggerIncidentProperties
{
    public required string Title { get; init; }
    public string? Description { get; init; }
    public required string Severity { get; init; }
    public required string Status { get; init; }
    public string? Classification { get; init; }
    public string? ClassificationReason { get; init; }
    public string? ClassificationComment { get; init; }
    public required IncidentOwner Owner { get; init; }
    public required IReadOnlyList<IncidentLabel> Labels { get; init; }
    public int IncidentNumber { get; init; }
    public required string IncidentUrl { get; init; }
    public DateTime CreatedTimeUtc { get; init; }
    public DateTime LastModifiedTimeUtc { get; init; }
    public DateTime? FirstActivityTimeUtc { get; init; }
    public DateTime? LastActivityTimeUtc { get; init; }
    public required string ProviderName { get; init; }
    public required string ProviderIncidentId { get; init; }
    public required IReadOnlyList<string> RelatedAnalyticRuleIds { get; init; }
    public required IncidentAdditionalData AdditionalData { get; init; }
    public required IReadOnlyList<SecurityAlert> Alerts { get; init; }
    public required IReadOnlyList<EntityResource> RelatedEntities { get; init; }
    public IReadOnlyList<System.Text.Json.Nodes.JsonObject> Bookmarks { get; init; } = [];
    public required IReadOnlyList<IncidentComment> Comments { get; init; }
}

internal static class TriggerPayloads
{
    public static TriggerPayload From(IncidentEntry entry, EmulatorContext context)
    {
        var incident = entry.Incident;
        var p = incident.Properties;
        var workspace = context.Workspace;
        return new TriggerPayload(
            entry.EventUniqueId,
            "Incident",
            "Create",
            workspace.WorkspaceId,
            new TriggerWorkspaceInfo(workspace.SubscriptionId, workspace.ResourceGroupName, workspace.WorkspaceName),
            new TriggerIncident(incident.Id, incident.Name, incident.Etag, "Microsoft.SecurityInsights/Incidents", new TriggerIncidentProperties
            {
                Title = p.Title,
                Description = p.Description,
                Severity = p.Severity,
                Status = p.Status,
                Classification = p.Classification,
                ClassificationReason = p.ClassificationReason,
                ClassificationComment = p.ClassificationComment,
                Owner = p.Owner,
                Labels = p.Labels,
                IncidentNumber = p.IncidentNumber,
                IncidentUrl = p.IncidentUrl,
                CreatedTimeUtc = p.CreatedTimeUtc,
                LastModifiedTimeUtc = p.LastModifiedTimeUtc,
                FirstActivityTimeUtc = p.FirstActivityTimeUtc,
                LastActivityTimeUtc = p.LastActivityTimeUtc,
                ProviderName = p.ProviderName,
                ProviderIncidentId = p.ProviderIncidentId,
                RelatedAnalyticRuleIds = p.RelatedAnalyticRuleIds,
                AdditionalData = p.AdditionalData,
                Alerts = entry.Alerts,
                RelatedEntities = IncidentFactory.ForPayload(entry),
                Comments = [.. entry.Comments],
            }));
    }
}
