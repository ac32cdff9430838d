using System.Text.Json;
using System.Text.Json.Serialization;

namespace IoTOwnerBot.Sentinel;

// Wire shapes of the Microsoft.SecurityInsights REST API. Unknown fields survive a GET → PUT round trip.

public sealed record IncidentResource
{
    public string? Id { get; init; }
    public string? Name { get; init; }
    public string? Etag { get; init; }
    public string? Type { get; init; }
    public required IncidentProperties Properties { get; init; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

public sealed record IncidentProperties
{
    public string? Title { get; init; }
    public string? Description { get; init; }
    public string? Severity { get; init; }
    public string? Status { get; init; }
    public string? Classification { get; init; }
    public string? ClassificationReason { get; init; }
    public string? ClassificationComment { get; init; }
    public List<IncidentLabel>? Labels { get; init; }
    public JsonElement? Owner { get; init; }
    public DateTimeOffset? FirstActivityTimeUtc { get; init; }
    public DateTimeOffset? LastActivityTimeUtc { get; init; }
    public DateTimeOffset? CreatedTimeUtc { get; init; }
    public DateTimeOffset? LastModifiedTimeUtc { get; init; }
    public int? IncidentNumber { get; init; }
    public string? IncidentUrl { get; init; }
    public string? ProviderName { get; init; }
    public string? ProviderIncidentId { get; init; }
    public List<string>? RelatedAnalyticRuleIds { get; init; }
    public IncidentAdditionalData? AdditionalData { get; init; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }

    /// <summary>The body of a PUT: writable fields only, labels by name, everything else unchanged.</summary>
    public IncidentProperties ForUpdate() => this with
    {
        CreatedTimeUtc = null,
        LastModifiedTimeUtc = null,
        IncidentNumber = null,
        IncidentUrl = null,
        ProviderName = null,
        ProviderIncidentId = null,
        RelatedAnalyticRuleIds = null,
        AdditionalData = null,
        Labels = Labels?.Select(l => new IncidentLabel { LabelName = l.LabelName }).ToList(),
    };
}

public sealed record IncidentLabel
{
    public required string LabelName { get; init; }
    public string? LabelType { get; init; }
}

public sealed record IncidentAdditionalData
{
    public int? AlertsCount { get; init; }
    public List<string>? AlertProductNames { get; init; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

public sealed record IncidentList
{
    public List<IncidentResource> Value { get; init; } = [];
    public string? NextLink { get; init; }
}

public sealed record AlertResource
{
    public string? Id { get; init; }
    public string? Name { get; init; }
    public string? Kind { get; init; }
    public AlertProperties? Properties { get; init; }
}

public sealed record AlertProperties
{
    public string? SystemAlertId { get; init; }
    public string? AlertDisplayName { get; init; }
    public string? ProductName { get; init; }
    public string? Severity { get; init; }
    public string? Status { get; init; }
    public DateTimeOffset? TimeGenerated { get; init; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

public sealed record AlertList
{
    public List<AlertResource> Value { get; init; } = [];
}

public sealed record EntityResource
{
    public string? Id { get; init; }
    public string? Name { get; init; }
    public string? Kind { get; init; }
    public JsonElement Properties { get; init; }
}

public sealed record EntityList
{
    public List<EntityResource> Entities { get; init; } = [];
}

public sealed record CommentBody(CommentProperties Properties);

public sealed record CommentProperties(string Message);

public sealed record CloudErrorBody(CloudError? Error);

public sealed record CloudError(string? Code, string? Message);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    PropertyNameCaseInsensitive = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IncidentResource))]
[JsonSerializable(typeof(IncidentList))]
[JsonSerializable(typeof(AlertList))]
[JsonSerializable(typeof(EntityList))]
[JsonSerializable(typeof(CommentBody))]
[JsonSerializable(typeof(CloudErrorBody))]
internal sealed partial class SentinelJsonContext : JsonSerializerContext;
