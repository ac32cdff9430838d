using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace IoTOwnerBot.Emulator.Sentinel;

// Wire shapes of Microsoft.SecurityInsights (reference/sentinel.md §3). camelCase via the web defaults.

public sealed record Incident(string Id, string Name, string Etag, string Type, IncidentProperties Properties);

public sealed record IncidentProperties
{
    public required string Title { get; init; }
    public string? Description { get; init; }
    public required string Severity { get; init; }
    public required string Status { get; init; }
    public string? Classification { get; init; }
    public string? ClassificationReason { get; init; }
    public string? ClassificationComment { get; init; }
    public IncidentOwner Owner { get; init; } = IncidentOwner.Unassigned;
    public IReadOnlyList<IncidentLabel> Labels { get; init; } = [];
    public DateTime? FirstActivityTimeUtc { get; init; }
    public DateTime? LastActivityTimeUtc { get; init; }
    public DateTime CreatedTimeUtc { get; init; }
    public DateTime LastModifiedTimeUtc { get; init; }
    public int IncidentNumber { get; init; }
    public required string IncidentUrl { get; init; }
    public string ProviderName { get; init; } = "Azure Sentinel";
    public required string ProviderIncidentId { get; init; }
    public IReadOnlyList<string> RelatedAnalyticRuleIds { get; init; } = [];
    public required IncidentAdditionalData AdditionalData { get; init; }
}

public sealed record IncidentOwner(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? ObjectId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Email,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? AssignedTo,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? UserPrincipalName,
    string? OwnerType = "Unknown")
{
    public static IncidentOwner Unassigned { get; } = new(null, null, null, null);
}

public sealed record IncidentLabel(string LabelName, string? LabelType = null);

public sealed record IncidentAdditionalData(
    int AlertsCount,
    int BookmarksCount,
    int CommentsCount,
    IReadOnlyList<string> AlertProductNames,
    IReadOnlyList<string> Tactics,
    IReadOnlyList<string> Techniques,
    string? ProviderIncidentUrl = null);

/// <summary>PUT body: everything nullable so the emulator, not the deserializer, says what is missing.</summary>
public sealed record IncidentWriteRequest
{
    public string? Etag { get; init; }
    public IncidentWriteProperties? Properties { get; init; }
}

public sealed record IncidentWriteProperties
{
    public string? Title { get; init; }
    public string? Description { get; init; }
    public string? Severity { get; init; }
    public string? Status { get; init; }
    public string? Classification { get; init; }
    public string? ClassificationReason { get; init; }
    public string? ClassificationComment { get; init; }
    public IncidentOwnerWrite? Owner { get; init; }
    public IReadOnlyList<IncidentLabel>? Labels { get; init; }
    public DateTime? FirstActivityTimeUtc { get; init; }
    public DateTime? LastActivityTimeUtc { get; init; }

    // Read-only fields a client echoes back (incidentNumber, additionalData, ...) are simply not bound: kept server-side.
}

public sealed record IncidentOwnerWrite(string? ObjectId, string? Email, string? AssignedTo, string? UserPrincipalName, string? OwnerType);

public sealed record IncidentList(IReadOnlyList<Incident> Value, string? NextLink);

public sealed record AlertList(IReadOnlyList<SecurityAlert> Value);

/// <summary>A SecurityAlert as the incident alerts API and the trigger payload return it.</summary>
public sealed record SecurityAlert(string Id, string Name, string Type, string Kind, SecurityAlertProperties Properties);

public sealed record SecurityAlertProperties
{
    public required string AlertDisplayName { get; init; }
    public required string AlertType { get; init; }
    public string? CompromisedEntity { get; init; }
    public string ConfidenceLevel { get; init; } = "Unknown";
    public string? Description { get; init; }
    public DateTime StartTimeUtc { get; init; }
    public DateTime EndTimeUtc { get; init; }
    public DateTime TimeGenerated { get; init; }
    public DateTime ProcessingEndTime { get; init; }
    public required string FriendlyName { get; init; }
    public required string ProductName { get; init; }
    public string? ProductComponentName { get; init; }
    public required string ProviderAlertId { get; init; }
    public IReadOnlyList<string> RemediationSteps { get; init; } = [];
    public required string Severity { get; init; }
    public string Status { get; init; } = "New";
    public required string SystemAlertId { get; init; }
    public IReadOnlyList<string> Tactics { get; init; } = [];
    public IReadOnlyList<string> Techniques { get; init; } = [];
    public string VendorName { get; init; } = "Microsoft";
    public string? AlertLink { get; init; }
    public JsonObject AdditionalData { get; init; } = [];
}

/// <summary>An entity (IoTDevice, Ip, Account, ...). Properties stay JSON because every kind has its own set.</summary>
public sealed record EntityResource(string Id, string Name, string Type, string Kind, JsonObject Properties);

public sealed record EntityList(IReadOnlyList<EntityResource> Entities, IReadOnlyList<EntityKindCount> MetaData);

public sealed record EntityKindCount(string EntityKind, int Count);

public sealed record IncidentComment(string Id, string Name, string Etag, string Type, IncidentCommentProperties Properties);

public sealed record IncidentCommentProperties(string Message, DateTime CreatedTimeUtc, DateTime LastModifiedTimeUtc, CommentAuthor Author);

public sealed record CommentAuthor(string? ObjectId, string? Email, string? UserPrincipalName, string? Name);

public sealed record CommentList(IReadOnlyList<IncidentComment> Value, string? NextLink = null);

public sealed record CommentWriteRequest(CommentWriteProperties? Properties);

public sealed record CommentWriteProperties(string? Message);

/// <summary>One entry of a Microsoft.Authorization permissions list (a role's actions and exclusions).</summary>
public sealed record RolePermissions(IReadOnlyList<string> Actions, IReadOnlyList<string> NotActions)
{
    public IReadOnlyList<string> DataActions { get; init; } = [];
    public IReadOnlyList<string> NotDataActions { get; init; } = [];
}

public sealed record PermissionList(IReadOnlyList<RolePermissions> Value);
