using System.Security.Cryptography;
using System.Text.Json.Nodes;

using IoTOwnerBot.Emulator.Hosting;

using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IoTOwnerBot.Emulator.Teams;

/// <summary>
/// The emulator's Bot Framework token issuer (the role of <c>login.botframework.com</c>): its own RSA keys, separate
/// from the Entra keys, published as a JWKS whose keys carry the non-standard <c>endorsements</c> array. One key is
/// endorsed for <c>msteams</c>; a second published key has no endorsement, so a test can sign with a key the bot
/// trusts for its signature but must still refuse for the channel. The second key is endorsed for <c>webchat</c>, as
/// Bot Framework's keys for Web Chat and Direct Line are: a Web Chat activity signed with it is authentic, but Web Chat
/// does not verify who the user is.
/// </summary>
public sealed class BotFrameworkKeys : IDisposable
{
    public const string TeamsChannel = "msteams";

    private readonly RSA _endorsed = RSA.Create(2048);
    private readonly RSA _unendorsed = RSA.Create(2048);
    private readonly RSA _unknown = RSA.Create(2048);
    private readonly EmulatorContext _context;
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    internal BotFrameworkKeys(EmulatorContext context)
    {
        _context = context;
        EndorsedKeyId = "bf-" + Guid.NewGuid().ToString("N")[..16];
        UnendorsedKeyId = "bf-" + Guid.NewGuid().ToString("N")[..16];
    }

    public string EndorsedKeyId { get; }
    public string UnendorsedKeyId { get; }

    /// <summary>The OpenID metadata document (<c>…/v1/.well-known/openidconfiguration</c>).</summary>
    public JsonObject Metadata() => new()
    {
        ["issuer"] = _context.BotFrameworkIssuer,
        ["authorization_endpoint"] = $"{_context.Base}botframework/v1/authorize",
        ["jwks_uri"] = $"{_context.Base}botframework/v1/.well-known/keys",
        ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
        ["token_endpoint_auth_methods_supported"] = new JsonArray("private_key_jwt"),
    };

    /// <summary>The JWKS: standard members plus <c>endorsements</c> per key.</summary>
    public JsonObject Jwks() => new()
    {
        ["keys"] = new JsonArray(Jwk(_endorsed, EndorsedKeyId, [TeamsChannel, "skype", "webchat"]), Jwk(_unendorsed, UnendorsedKeyId, ["webchat"])),
    };

    /// <summary>Signs a Bot Connector → bot token as Teams does: iss, aud = bot app id, serviceurl, nbf/exp.</summary>
    public string Mint(BotTokenOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var now = _context.Time.GetUtcNow();
        var (notBefore, expires) = options.Expired ? (now.AddHours(-2), now.AddHours(-1))
            : options.NotYetValid ? (now.AddHours(1), now.AddHours(2))
            : (now.AddMinutes(-1), now.AddHours(1));
        var claims = new JsonObject
        {
            ["iss"] = options.Issuer ?? _context.BotFrameworkIssuer,
            ["aud"] = options.Audience,
            ["nbf"] = notBefore.ToUnixTimeSeconds(),
            ["exp"] = expires.ToUnixTimeSeconds(),
        };
        if (options.ServiceUrl is { } serviceUrl)
        {
            claims["serviceurl"] = serviceUrl;
        }
        var (rsa, kid) = options.Key switch
        {
            BotSigningKey.Unendorsed => (_unendorsed, UnendorsedKeyId),
            BotSigningKey.Unknown => (_unknown, "bf-unpublished"),
            _ => (_endorsed, EndorsedKeyId),
        };
        var key = new RsaSecurityKey(rsa) { KeyId = kid };
        return _handler.CreateToken(claims.ToJsonString(), new SigningCredentials(key, SecurityAlgorithms.RsaSha256));
    }

    private static JsonObject Jwk(RSA rsa, string kid, string[] endorsements)
    {
        var p = rsa.ExportParameters(includePrivateParameters: false);
        return new JsonObject
        {
            ["kty"] = "RSA",
            ["use"] = "sig",
            ["kid"] = kid,
            ["n"] = Base64UrlEncoder.Encode(p.Modulus),
            ["e"] = Base64UrlEncoder.Encode(p.Exponent),
            ["endorsements"] = new JsonArray([.. endorsements.Select(e => (JsonNode?)JsonValue.Create(e))]),
        };
    }

    public void Dispose()
    {
        _endorsed.Dispose();
        _unendorsed.Dispose();
        _unknown.Dispose();
    }
}

[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<BotSigningKey>))]
public enum BotSigningKey
{
    /// <summary>The published key endorsed for <c>msteams</c>.</summary>
    Endorsed,

    /// <summary>A published key without the <c>msteams</c> endorsement.</summary>
    Unendorsed,

    /// <summary>A key in no JWKS: the signature cannot be validated.</summary>
    Unknown,
}

/// <summary>How to sign an activity the emulator sends to a bot; the defaults give a valid Teams token.</summary>
public sealed record BotTokenOptions
{
    public required string Audience { get; init; }
    public string? ServiceUrl { get; init; }
    public string? Issuer { get; init; }
    public bool Expired { get; init; }
    /// <summary><c>nbf</c> an hour from now.</summary>
    public bool NotYetValid { get; init; }
    public BotSigningKey Key { get; init; }
}
