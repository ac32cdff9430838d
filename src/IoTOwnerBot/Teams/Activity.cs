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
    public TeamsChannelData? ChannelData { get; init; }

    [JsonExtensionData] public Dictionary<string, JsonElement>? ExtensionData { get; set; }

    /// <summary>Tenant of the conversation (<c>conversation.tenantId</c>, else <c>channelData.tenant.id</c>).</summary>
    public string? TenantId => Conversation?.TenantId ?? ChannelData?.Tenant?.Id;

    /// <summary>What the typed shape cannot say: lists hold no null member.</summary>
    internal string? ShapeError() =>
        MembersAdded?.Any(m => m is null) == true ? "membersAdded holds a null member"
        : MembersRemoved?.Any(m => m is null) == true ? "membersRemoved holds a null member"
        : Attachments?.Any(a => a is null) == true ? "attachments holds a null member"
        : null;
}

/// <summary>Teams' <c>channelData</c>: tenant, and for channel conversations the team and channel.</summary>
public sealed record TeamsChannelData
{
    public TeamsEntityRef? Tenant { get; init; }
    public TeamsEntityRef? Team { get; init; }
    public TeamsEntityRef? Channel { get; init; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}

public sealed record TeamsEntityRef
{
    public string? Id { get; init; }
    public string? Name { get; init; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}

/// <summary>
/// <c>value</c> of an <c>adaptiveCard/action</c> invoke: <c>action.verb</c> and the action's <c>data</c>, every member
/// type-checked. Data values our cards send are strings; anything else is refused, never cast.
/// </summary>
public sealed record CardAction(string Verb, IReadOnlyDictionary<string, string> Data)
{
    public string? this[string name] => Data.TryGetValue(name, out var value) ? value : null;

    /// <summary>The card action, or null with the reason the value is malformed.</summary>
    public static CardAction? Parse(JsonElement? value, out string? error)
    {
        error = null;
        if (value is not { ValueKind: JsonValueKind.Object } v) return Fail("value is not an object", out error);
        if (!v.TryGetProperty("action", out var action) || action.ValueKind != JsonValueKind.Object) return Fail("value.action is not an object", out error);
        if (!action.TryGetProperty("verb", out var verb) || verb.ValueKind != JsonValueKind.String || verb.GetString() is not { Length: > 0 and <= 128 } name)
            return Fail("value.action.verb is not a string", out error);
        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        if (action.TryGetProperty("data", out var d) && d.ValueKind != JsonValueKind.Null)
        {
            if (d.ValueKind != JsonValueKind.Object) return Fail("value.action.data is not an object", out error);
            foreach (var member in d.EnumerateObject())
            {
                switch (member.Value.ValueKind)
                {
                    case JsonValueKind.String: data[member.Name] = member.Value.GetString()!; break;
                    case JsonValueKind.Null: break;
                    // Teams adds its own members (msteams, …); only values we read must be strings.
                    default: if (StringMembers.Contains(member.Name)) return Fail($"value.action.data.{member.Name} is not a string", out error); break;
                }
            }
        }
        return new CardAction(name, data);
    }

    /// <summary>Members the bot reads from card data (digest choices are <c>a0</c>, <c>a1</c>, …).</summary>
    private static readonly HashSet<string> StringMembers = new(StringComparer.Ordinal) { "questionId", "digestId", "answer", "token" };

    private static CardAction? Fail(string why, out string? error)
    {
        error = why;
        return null;
    }
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
[JsonSerializable(typeof(TeamsChannelData))]
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
