using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace IoTOwnerBot.Teams;

// Bot Framework activity wire shapes. Unknown members land in ExtensionData, so nothing Teams sends is lost.

/// <summary>An activity as Teams sends it to the bot (or as the bot sends it).</summary>
public sealed record Activity
{
    public string? Type { get; init; }
    public string? Id { get; init; }
    public string? Name { get; init; }
    public DateTimeOffset? Timestamp { get; init; }
    public string? ServiceUrl { get; init; }
    public string? ChannelId { get; init; }
    public ChannelAccount? From { get; init; }
    public ChannelAccount? Recipient { get; init; }
    public ConversationAccount? Conversation { get; init; }
    public string? Text { get; init; }
    public string? TextFormat { get; init; }
    public string? Locale { get; init; }
    public string? ReplyToId { get; init; }
    public string? Action { get; init; }
    public JsonElement? Value { get; init; }
    public IReadOnlyList<ChannelAccount>? MembersAdded { get; init; }
    public IReadOnlyList<ChannelAccount>? MembersRemoved { get; init; }
    public IReadOnlyList<Attachment>? Attachments { get; init; }
    public JsonObject? ChannelData { get; init; }

    [JsonExtensionData] public Dictionary<string, JsonElement>? ExtensionData { get; set; }

    /// <summary>Tenant of the conversation (<c>conversation.tenantId</c>, else <c>channelData.tenant.id</c>).</summary>
    public string? TenantId => Conversation?.TenantId ?? (string?)ChannelData?["tenant"]?["id"];
}

public sealed record ChannelAccount
{
    public string? Id { get; init; }
    public string? Name { get; init; }
    public string? AadObjectId { get; init; }
    public string? Role { get; init; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}

public sealed record ConversationAccount
{
    public string? Id { get; init; }
    public string? ConversationType { get; init; }
    public string? TenantId { get; init; }
    public bool? IsGroup { get; init; }
    public string? Name { get; init; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}

public sealed record Attachment(string ContentType, JsonNode? Content);

/// <summary>Outbound message: text and/or cards.</summary>
public sealed record OutgoingActivity(string Type, string? Text = null, IReadOnlyList<Attachment>? Attachments = null, string? TextFormat = null)
{
    public const string AdaptiveCardType = "application/vnd.microsoft.card.adaptive";

    public static OutgoingActivity Card(JsonObject card) => new("message", Attachments: [new Attachment(AdaptiveCardType, card)]);
    public static OutgoingActivity Message(string text) => new("message", text, TextFormat: "markdown");
}

/// <summary><c>POST v3/conversations</c> body for a 1:1 conversation.</summary>
public sealed record ConversationParameters(
    bool IsGroup,
    ChannelAccount Bot,
    IReadOnlyList<ChannelAccount> Members,
    string TenantId,
    JsonObject ChannelData);

/// <summary><c>POST v3/conversations</c> body for a new thread in a team channel.</summary>
public sealed record ChannelThreadParameters(bool IsGroup, string TenantId, JsonObject ChannelData, OutgoingActivity Activity);

public sealed record ResourceResponse(string? Id, string? ActivityId = null);

public sealed record PagedMembers(IReadOnlyList<ChannelAccount>? Members, string? ContinuationToken);

/// <summary>The HTTP body answering an invoke: Universal Actions read <c>statusCode</c> from here (HTTP is always 200).</summary>
public sealed record InvokeResponse(int StatusCode, string Type, JsonNode? Value)
{
    public const string CardType = "application/vnd.microsoft.card.adaptive";
    public const string MessageType = "application/vnd.microsoft.activity.message";
    public const string ErrorType = "application/vnd.microsoft.error";

    public static InvokeResponse Card(JsonObject card) => new(200, CardType, card);
    public static InvokeResponse Error(int status, string code, string message) =>
        new(status, ErrorType, new JsonObject { ["code"] = code, ["message"] = message });
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Activity))]
[JsonSerializable(typeof(OutgoingActivity))]
[JsonSerializable(typeof(ConversationParameters))]
[JsonSerializable(typeof(ChannelThreadParameters))]
[JsonSerializable(typeof(ResourceResponse))]
[JsonSerializable(typeof(PagedMembers))]
[JsonSerializable(typeof(InvokeResponse))]
[JsonSerializable(typeof(ConnectorError))]
internal sealed partial class TeamsJson : JsonSerializerContext;

/// <summary><c>{"error":{"code","message"}}</c> of the Bot Connector.</summary>
internal sealed record ConnectorError(ConnectorErrorBody? Error);

internal sealed record ConnectorErrorBody(string? Code, string? Message);
