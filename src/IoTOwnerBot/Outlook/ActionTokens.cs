using System.Buffers;
using System.Buffers.Text;
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

    /// <summary>Longer tokens are refused unread.</summary>
    private const int MaxTokenLength = 2048;

    private static readonly SearchValues<char> Base64UrlAlphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

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

    /// <summary>
    /// Checks format, key and MAC; the payload is null unless all hold. Works on spans of the token: it runs on every
    /// click and card refresh.
    /// </summary>
    private ActionTokenError Read(string? token, string macPurpose, out ActionTokenPayload? payload)
    {
        payload = null;
        if (token is null || token.Length > MaxTokenLength) return ActionTokenError.Malformed;
        // Exactly three non-empty parts: {keyId}.{payload}.{mac}.
        Span<Range> parts = stackalloc Range[4];
        var text = token.AsSpan();
        if (text.Split(parts, '.') != 3) return ActionTokenError.Malformed;
        var (id, body, mac) = (parts[0], parts[1], parts[2]);
        if (text[id].IsEmpty || text[body].IsEmpty || text[mac].IsEmpty) return ActionTokenError.Malformed;
        var key = FindKey(text[id]);
        if (key is null) return ActionTokenError.UnknownKey;
        if (!IsBase64Url(text[body]) || !IsBase64Url(text[mac])) return ActionTokenError.Malformed;

        Span<byte> presented = stackalloc byte[64];
        if (!Base64Url.TryDecodeFromChars(text[mac], presented, out var presentedLength)) return ActionTokenError.Malformed;
        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Mac(key, text[body], macPurpose, expected);
        if (!CryptographicOperations.FixedTimeEquals(presented[..presentedLength], expected)) return ActionTokenError.BadSignature;

        // The whole token is at most MaxTokenLength characters, so its body decodes to at most 3/4 of that.
        Span<byte> json = stackalloc byte[Base64Url.GetMaxDecodedLength(MaxTokenLength)];
        if (!Base64Url.TryDecodeFromChars(text[body], json, out var jsonLength)) return ActionTokenError.Malformed;
        try
        {
            payload = JsonSerializer.Deserialize(json[..jsonLength], OutlookJson.Default.ActionTokenPayload);
        }
        catch (JsonException)
        {
            return ActionTokenError.Malformed;
        }
        return payload is null ? ActionTokenError.Malformed : ActionTokenError.None;
    }

    private ActionTokenKey? FindKey(ReadOnlySpan<char> id)
    {
        foreach (var key in options.CurrentValue.ActionTokenKeys)
            if (id.SequenceEqual(key.Id)) return key;
        return null;
    }

    /// <summary>Only the base64url alphabet, no padding or whitespace (which a lenient decoder would skip).</summary>
    private static bool IsBase64Url(ReadOnlySpan<char> part) => !part.ContainsAnyExcept(Base64UrlAlphabet);

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

    private static byte[] Mac(ActionTokenKey key, string payload, string purpose)
    {
        var mac = new byte[HMACSHA256.HashSizeInBytes];
        Mac(key, payload, purpose, mac);
        return mac;
    }

    /// <summary>HMAC-SHA256 with the key's secret over <c>{purpose}|{keyId}.{payload}</c> (UTF-8), into <paramref name="mac"/>.</summary>
    private static void Mac(ActionTokenKey key, ReadOnlySpan<char> payload, string purpose, Span<byte> mac)
    {
        var secretLength = Encoding.UTF8.GetByteCount(key.Secret);
        var signedLength = Encoding.UTF8.GetByteCount(purpose) + 1 + Encoding.UTF8.GetByteCount(key.Id) + 1 + Encoding.UTF8.GetByteCount(payload);
        var rented = ArrayPool<byte>.Shared.Rent(secretLength + signedLength);
        try
        {
            var secret = rented.AsSpan(0, secretLength);
            Encoding.UTF8.GetBytes(key.Secret, secret);
            var signed = rented.AsSpan(secretLength, signedLength);
            var at = Encoding.UTF8.GetBytes(purpose, signed);
            signed[at++] = (byte)'|';
            at += Encoding.UTF8.GetBytes(key.Id, signed[at..]);
            signed[at++] = (byte)'.';
            Encoding.UTF8.GetBytes(payload, signed[at..]);
            HMACSHA256.HashData(secret, signed, mac);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(rented.AsSpan(0, secretLength));
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
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
