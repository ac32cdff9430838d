using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace IoTOwnerBot.Emulator.Entra;

[JsonConverter(typeof(JsonStringEnumConverter<TokenKind>))]
public enum TokenKind
{
    /// <summary>An application (client credentials) token: <c>roles</c>, no user claims.</summary>
    App,

    /// <summary>A delegated token for a user: <c>scp</c>, <c>oid</c>/<c>upn</c>/<c>preferred_username</c>/<c>name</c>.</summary>
    User,
}

[JsonConverter(typeof(JsonStringEnumConverter<TokenSigning>))]
public enum TokenSigning
{
    /// <summary>Signed RS256 by the emulator's published key.</summary>
    EmulatorKey,

    /// <summary>Signed RS256 by a key that is in no JWKS: the signature cannot be validated.</summary>
    UnknownKey,

    /// <summary><c>alg: none</c>, no signature.</summary>
    None,
}

/// <summary>
/// What to mint (<c>POST /admin/tokens</c> or <see cref="EmulatorServer.MintToken"/>). Only <see cref="Audience"/> is
/// required; for a user token the calling app defaults to Outlook Actionable Messages, so a test can click a card.
/// </summary>
// Properties with defaults use set, not init: source-generated deserialization assigns every init property,
// which would replace the defaults with null/0 when a field is absent from the JSON.
public sealed record TokenRequest
{
    /// <summary>The Actions service app that calls an Outlook card's Action.Http target.</summary>
    public const string ActionableMessagesAppId = "48af08dc-f6d2-435f-b2a7-069abd99c086";

    /// <summary>Client id used for app tokens when none is given.</summary>
    public const string DefaultClientId = "5f0c8e4a-7b2d-4c1e-9a3f-6d8b0e2c4a71";

    public TokenKind Kind { get; set; } = TokenKind.App;

    /// <summary><c>tid</c>; defaults to the emulator's tenant.</summary>
    public string? TenantId { get; init; }

    /// <summary><c>aud</c>, e.g. <c>api://auth-am-…/{appId}</c> (v1) or the bot's client id (v2).</summary>
    public string? Audience { get; init; }

    /// <summary><c>"1.0"</c>: iss <c>{Base}sts/{tid}/</c> and <c>appid</c>. <c>"2.0"</c> (default): iss <c>{Base}entra/{tid}/v2.0</c> and <c>azp</c>.</summary>
    public string Version { get; set; } = "2.0";

    /// <summary>The calling application (<c>appid</c>/<c>azp</c>).</summary>
    public string? AppId { get; init; }

    /// <summary><c>scp</c>, space separated (user tokens).</summary>
    public string? Scopes { get; init; }

    /// <summary><c>roles</c> (app tokens).</summary>
    public IReadOnlyList<string>? Roles { get; init; }

    /// <summary>A directory user (id or UPN) whose oid, upn and name fill the user claims not given explicitly.</summary>
    public string? User { get; init; }
    public string? ObjectId { get; init; }
    public string? Upn { get; init; }
    public string? PreferredUsername { get; init; }
    public string? Name { get; init; }

    /// <summary>Seconds until <c>exp</c>; zero or negative gives a token that has already expired.</summary>
    public int LifetimeSeconds { get; set; } = 3600;

    /// <summary>Claims added last, overriding anything computed (set a claim to null to remove it).</summary>
    public JsonObject? ExtraClaims { get; init; }

    public TokenSigning Signing { get; set; } = TokenSigning.EmulatorKey;
}

/// <summary>The OAuth 2.0 token response.</summary>
public sealed record TokenResponse(
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    [property: JsonPropertyName("ext_expires_in")] int ExtExpiresIn,
    [property: JsonPropertyName("access_token")] string AccessToken);

/// <summary>What <c>POST /admin/tokens</c> returns.</summary>
public sealed record MintedToken(string AccessToken, DateTime ExpiresOn);
