using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using IoTOwnerBot.Questions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace IoTOwnerBot.Outlook;

/// <summary>What a limited-purpose action token allows: one answer to one question by one recipient, until it expires.</summary>
/// <param name="Recipient">The recipient's Entra object id when known, else the lower-cased mail address.</param>
/// <param name="Nonce">Unique per token; stored when the token decides the question (single use).</param>
public sealed record ActionGrant(Guid QuestionId, string Recipient, OwnerAnswer Answer, string Nonce, DateTimeOffset ExpiresAt);

public enum ActionTokenError { None, Malformed, UnknownKey, BadSignature, Expired }

/// <summary>
/// Our own limited-purpose token inside each Action.Http body (one per button). Microsoft's token says who clicked;
/// this one says what the card allowed: it is HMAC-SHA256 protected with a rotatable key (first signs, all verify),
/// bound to question, recipient and answer, and expires. Format: <c>{keyId}.{payload}.{mac}</c>, base64url parts.
/// </summary>
public sealed class ActionTokens(IOptionsMonitor<OutlookOptions> options, TimeProvider time)
{
    private const string Purpose = "iotownerbot/outlook-action/v1";

    public string Issue(Guid questionId, string recipient, OwnerAnswer answer, DateTimeOffset? expiresAt = null)
    {
        var o = options.CurrentValue;
        var key = o.ActionTokenKeys[0];
        var payload = new ActionTokenPayload(questionId, recipient, answer == OwnerAnswer.Expected ? "yes" : "no",
            Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16)),
            (expiresAt ?? time.GetUtcNow() + o.ActionTokenLifetime).ToUnixTimeSeconds());
        var body = Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(payload, OutlookJson.Default.ActionTokenPayload));
        return $"{key.Id}.{body}.{Base64UrlEncoder.Encode(Mac(key, body))}";
    }

    public ActionTokenError Validate(string? token, out ActionGrant? grant)
    {
        grant = null;
        var parts = (token ?? "").Split('.');
        if (parts.Length != 3 || parts.Any(p => p.Length == 0) || token!.Length > 2048) return ActionTokenError.Malformed;
        var key = options.CurrentValue.ActionTokenKeys.FirstOrDefault(k => string.Equals(k.Id, parts[0], StringComparison.Ordinal));
        if (key is null) return ActionTokenError.UnknownKey;

        byte[] mac;
        ActionTokenPayload? payload;
        try
        {
            mac = Base64UrlEncoder.DecodeBytes(parts[2]);
            if (!CryptographicOperations.FixedTimeEquals(mac, Mac(key, parts[1]))) return ActionTokenError.BadSignature;
            payload = JsonSerializer.Deserialize(Base64UrlEncoder.DecodeBytes(parts[1]), OutlookJson.Default.ActionTokenPayload);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or JsonException)
        {
            return ActionTokenError.Malformed;
        }
        if (payload is null || payload.Q == Guid.Empty || string.IsNullOrEmpty(payload.R) || string.IsNullOrEmpty(payload.N)
            || payload.A is not ("yes" or "no")) return ActionTokenError.Malformed;

        // An expired grant is still returned (it is authentic): a late click is shown what was decided.
        var expires = DateTimeOffset.FromUnixTimeSeconds(payload.E);
        grant = new ActionGrant(payload.Q, payload.R, payload.A == "yes" ? OwnerAnswer.Expected : OwnerAnswer.NotExpected, payload.N, expires);
        return expires <= time.GetUtcNow() ? ActionTokenError.Expired : ActionTokenError.None;
    }

    private static byte[] Mac(ActionTokenKey key, string payload) =>
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(key.Secret), Encoding.UTF8.GetBytes($"{Purpose}|{key.Id}.{payload}"));
}

internal sealed record ActionTokenPayload(
    [property: JsonPropertyName("q")] Guid Q,
    [property: JsonPropertyName("r")] string R,
    [property: JsonPropertyName("a")] string A,
    [property: JsonPropertyName("n")] string N,
    [property: JsonPropertyName("e")] long E);

/// <summary>The Action.Http body our e-mail card sends (owner-question/email template).</summary>
public sealed record ActionBody(string? QuestionId, string? Answer, string? Token)
{
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ActionTokenPayload))]
[JsonSerializable(typeof(ActionBody))]
[JsonSerializable(typeof(OutlookSendWork))]
internal sealed partial class OutlookJson : JsonSerializerContext;
