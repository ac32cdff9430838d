using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using IoTOwnerBot.Questions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace IoTOwnerBot.Outlook;

/// <summary>
/// What a limited-purpose action token allows: one answer to one question by one recipient, until it expires; or,
/// with no answer, reading the question's current card when the message is opened (refresh).
/// </summary>
/// <param name="Recipient">The recipient's Entra object id when known, else the lower-cased mail address.</param>
/// <param name="Answer">The answer the button records; null for the refresh token.</param>
/// <param name="Nonce">Unique per token; stored when the token decides the question (single use).</param>
public sealed record ActionGrant(Guid QuestionId, string Recipient, OwnerAnswer? Answer, string Nonce, DateTimeOffset ExpiresAt)
{
    public bool IsRefresh => Answer is null;
}

public enum ActionTokenError { None, Malformed, UnknownKey, BadSignature, Expired }

/// <summary>What a digest card's token allows (see <see cref="ActionTokens.IssueDigest"/>).</summary>
/// <param name="Purpose"><c>yes</c> / <c>no</c> (every open item), <c>each</c> (the items' own choices) or <c>refresh</c>.</param>
public sealed record DigestGrant(Guid DigestId, string Recipient, string Purpose, string Nonce, DateTimeOffset ExpiresAt)
{
    public OwnerAnswer? BulkAnswer => Purpose switch { "yes" => OwnerAnswer.Expected, "no" => OwnerAnswer.NotExpected, _ => null };
}

/// <summary>
/// Our own limited-purpose token inside each Action.Http body (one per button). Microsoft's token says who clicked;
/// this one says what the card allowed: it is HMAC-SHA256 protected with a rotatable key (first signs, all verify),
/// bound to question, recipient and answer, and expires. Format: <c>{keyId}.{payload}.{mac}</c>, base64url parts.
/// </summary>
public sealed class ActionTokens(IOptionsMonitor<OutlookOptions> options, TimeProvider time)
{
    private const string Purpose = "iotownerbot/outlook-action/v1";

    /// <summary>A different MAC purpose: a digest token can never pass as a question token, nor the other way round.</summary>
    private const string DigestPurpose = "iotownerbot/outlook-digest/v1";

    private static readonly string[] DigestPurposes = ["yes", "no", "each", "refresh"];

    public string Issue(Guid questionId, string recipient, OwnerAnswer answer, DateTimeOffset? expiresAt = null) =>
        Issue(questionId, recipient, answer == OwnerAnswer.Expected ? "yes" : "no", expiresAt);

    /// <summary>The token of the card's refresh-on-open: it shows the current state and can decide nothing.</summary>
    public string IssueRefresh(Guid questionId, string recipient, DateTimeOffset? expiresAt = null) =>
        Issue(questionId, recipient, "refresh", expiresAt);

    /// <summary>
    /// A digest card's token, bound to the digest and its recipient: <paramref name="purpose"/> <c>yes</c> or <c>no</c>
    /// answers every item still open, <c>each</c> answers the items by the choices made on the card, <c>refresh</c>
    /// only shows the current state. Its nonce is single use per question.
    /// </summary>
    public string IssueDigest(Guid digestId, string recipient, string purpose, DateTimeOffset? expiresAt = null)
    {
        if (!DigestPurposes.Contains(purpose, StringComparer.Ordinal)) throw new ArgumentOutOfRangeException(nameof(purpose), purpose, "Not a digest token purpose.");
        return Issue(digestId, recipient, purpose, expiresAt, DigestPurpose);
    }

    public ActionTokenError ValidateDigest(string? token, out DigestGrant? grant)
    {
        grant = null;
        var error = Read(token, DigestPurpose, out var payload);
        if (payload is null) return error;
        if (payload.Q == Guid.Empty || string.IsNullOrEmpty(payload.R) || string.IsNullOrEmpty(payload.N) || !DigestPurposes.Contains(payload.A, StringComparer.Ordinal))
            return ActionTokenError.Malformed;
        var expires = DateTimeOffset.FromUnixTimeSeconds(payload.E);
        grant = new DigestGrant(payload.Q, payload.R, payload.A, payload.N, expires);
        return expires <= time.GetUtcNow() ? ActionTokenError.Expired : ActionTokenError.None;
    }

    private string Issue(Guid questionId, string recipient, string purpose, DateTimeOffset? expiresAt, string macPurpose = Purpose)
    {
        var o = options.CurrentValue;
        var key = o.ActionTokenKeys[0];
        var payload = new ActionTokenPayload(questionId, recipient, purpose,
            Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16)),
            (expiresAt ?? time.GetUtcNow() + o.ActionTokenLifetime).ToUnixTimeSeconds());
        var body = Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(payload, OutlookJson.Default.ActionTokenPayload));
        return $"{key.Id}.{body}.{Base64UrlEncoder.Encode(Mac(key, body, macPurpose))}";
    }

    /// <summary>Checks format, key and MAC; the payload is null unless all hold.</summary>
    private ActionTokenError Read(string? token, string macPurpose, out ActionTokenPayload? payload)
    {
        payload = null;
        var parts = (token ?? "").Split('.');
        if (parts.Length != 3 || parts.Any(p => p.Length == 0) || token!.Length > 2048) return ActionTokenError.Malformed;
        var key = options.CurrentValue.ActionTokenKeys.FirstOrDefault(k => string.Equals(k.Id, parts[0], StringComparison.Ordinal));
        if (key is null) return ActionTokenError.UnknownKey;
        try
        {
            var mac = Base64UrlEncoder.DecodeBytes(parts[2]);
            if (!CryptographicOperations.FixedTimeEquals(mac, Mac(key, parts[1], macPurpose))) return ActionTokenError.BadSignature;
            payload = JsonSerializer.Deserialize(Base64UrlEncoder.DecodeBytes(parts[1]), OutlookJson.Default.ActionTokenPayload);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or JsonException)
        {
            return ActionTokenError.Malformed;
        }
        return payload is null ? ActionTokenError.Malformed : ActionTokenError.None;
    }

    public ActionTokenError Validate(string? token, out ActionGrant? grant)
    {
        grant = null;
        var error = Read(token, Purpose, out var payload);
        if (payload is null) return error;
        if (payload.Q == Guid.Empty || string.IsNullOrEmpty(payload.R) || string.IsNullOrEmpty(payload.N)
            || payload.A is not ("yes" or "no" or "refresh")) return ActionTokenError.Malformed;

        // An expired grant is still returned (it is authentic): a late click is shown what was decided.
        var expires = DateTimeOffset.FromUnixTimeSeconds(payload.E);
        OwnerAnswer? answer = payload.A switch { "yes" => OwnerAnswer.Expected, "no" => OwnerAnswer.NotExpected, _ => null };
        grant = new ActionGrant(payload.Q, payload.R, answer, payload.N, expires);
        return expires <= time.GetUtcNow() ? ActionTokenError.Expired : ActionTokenError.None;
    }

    private static byte[] Mac(ActionTokenKey key, string payload, string purpose) =>
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(key.Secret), Encoding.UTF8.GetBytes($"{purpose}|{key.Id}.{payload}"));
}

internal sealed record ActionTokenPayload(
    [property: JsonPropertyName("q")] Guid Q,
    [property: JsonPropertyName("r")] string R,
    [property: JsonPropertyName("a")] string A,
    [property: JsonPropertyName("n")] string N,
    [property: JsonPropertyName("e")] long E);

/// <summary>
/// The Action.Http body our e-mail cards send: owner-question (<see cref="QuestionId"/>) or owner-digest
/// (<see cref="DigestId"/>; <see cref="Answers"/> holds the items' choices, comma-separated, by position).
/// </summary>
public sealed record ActionBody(string? QuestionId, string? Answer, string? Token, bool? Refresh = null, string? DigestId = null, string? Answers = null)
{
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ActionTokenPayload))]
[JsonSerializable(typeof(ActionBody))]
[JsonSerializable(typeof(OutlookSendWork))]
[JsonSerializable(typeof(OutlookDigestWork))]
internal sealed partial class OutlookJson : JsonSerializerContext;
