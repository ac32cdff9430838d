using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

using IoTOwnerBot.Emulator.Hosting;

using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IoTOwnerBot.Emulator.Entra;

/// <summary>
/// The emulator's Entra: owns the RSA signing keys (generated at start, published as JWKS), mints access tokens in
/// the v1 and v2 shapes, and validates the tokens the emulated APIs receive.
/// </summary>
public sealed class TokenIssuer : IDisposable
{
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);
    private readonly RSA _rsa = RSA.Create(2048);
    private readonly RSA _unknownRsa = RSA.Create(2048);
    private readonly X509Certificate2 _certificate;
    private readonly RsaSecurityKey _key;
    private readonly RsaSecurityKey _unknownKey;
    private readonly EmulatorContext _context;
    private readonly Func<string, Tenant.DirectoryUser?> _findUser;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false, SetDefaultTimesOnTokenCreation = false };

    internal TokenIssuer(EmulatorContext context, Func<string, Tenant.DirectoryUser?> findUser)
    {
        _context = context;
        _findUser = findUser;
        var now = DateTimeOffset.UtcNow;
        var request = new CertificateRequest("CN=IoTOwnerBot Emulator Token Signing", _rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        _certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
        KeyId = Base64UrlEncoder.Encode(_certificate.GetCertHash());
        _key = new RsaSecurityKey(_rsa) { KeyId = KeyId };
        _unknownKey = new RsaSecurityKey(_unknownRsa) { KeyId = "unpublished-" + Guid.NewGuid().ToString("N")[..12] };
    }

    /// <summary>The <c>kid</c> of the published signing key.</summary>
    public string KeyId { get; }

    /// <summary>The published key, for in-process validation without fetching the JWKS.</summary>
    public SecurityKey SigningKey => _key;

    /// <summary>The JWKS document (Entra shape: kty, use, kid, x5t, n, e, x5c, issuer).</summary>
    public JsonObject Jwks()
    {
        var parameters = _rsa.ExportParameters(includePrivateParameters: false);
        return new JsonObject
        {
            ["keys"] = new JsonArray(new JsonObject
            {
                ["kty"] = "RSA",
                ["use"] = "sig",
                ["kid"] = KeyId,
                ["x5t"] = KeyId,
                ["n"] = Base64UrlEncoder.Encode(parameters.Modulus),
                ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
                ["x5c"] = new JsonArray(Convert.ToBase64String(_certificate.RawData)),
                ["issuer"] = $"{_context.Base}entra/{{tenantid}}/v2.0",
            }),
        };
    }

    /// <summary>Mints a token as described; see <see cref="TokenRequest"/>.</summary>
    public string Mint(TokenRequest request) => Mint(request, out _);

    internal string Mint(TokenRequest request, out DateTime expiresOn)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.Audience))
        {
            throw new ArgumentException("A token needs an audience.", nameof(request));
        }
        var v1 = request.Version == "1.0";
        if (!v1 && request.Version != "2.0")
        {
            throw new ArgumentException("Version must be \"1.0\" or \"2.0\".", nameof(request));
        }
        var tenant = request.TenantId ?? _context.TenantId;
        var now = _context.Time.GetUtcNow();
        var (issuedAt, expires) = request.LifetimeSeconds > 0
            ? (now, now.AddSeconds(request.LifetimeSeconds))
            : (now.AddSeconds(request.LifetimeSeconds - 7200), now.AddSeconds(request.LifetimeSeconds - 3600));
        expiresOn = expires.UtcDateTime;

        var user = request.Kind == TokenKind.User && request.User is { } who
            ? _findUser(who) ?? throw new ArgumentException($"No directory user '{who}'.", nameof(request))
            : null;
        var appId = request.AppId ?? (request.Kind == TokenKind.User ? TokenRequest.ActionableMessagesAppId : TokenRequest.DefaultClientId);

        var claims = new JsonObject
        {
            ["aud"] = request.Audience,
            ["iss"] = v1 ? _context.V1Issuer(tenant) : _context.V2Issuer(tenant),
            ["iat"] = issuedAt.ToUnixTimeSeconds(),
            ["nbf"] = issuedAt.ToUnixTimeSeconds(),
            ["exp"] = expires.ToUnixTimeSeconds(),
            [v1 ? "appid" : "azp"] = appId,
            [v1 ? "appidacr" : "azpacr"] = "1",
            ["tid"] = tenant,
            ["uti"] = Base64UrlEncoder.Encode(Guid.NewGuid().ToByteArray()),
            ["ver"] = request.Version,
        };
        if (v1)
        {
            claims["idp"] = _context.V1Issuer(tenant);
        }

        if (request.Kind == TokenKind.App)
        {
            var oid = request.ObjectId ?? StableGuid($"sp:{tenant}:{appId}");
            claims["oid"] = oid;
            claims["sub"] = oid;
            claims["idtyp"] = "app";
            claims["roles"] = new JsonArray([.. (request.Roles ?? []).Select(r => (JsonNode?)JsonValue.Create(r))]);
        }
        else
        {
            var upn = request.Upn ?? user?.UserPrincipalName;
            var oid = request.ObjectId ?? user?.Id ?? StableGuid($"user:{tenant}:{upn}");
            claims["oid"] = oid;
            claims["sub"] = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.UTF8.GetBytes($"{oid}:{appId}"))[..24]);
            claims["scp"] = request.Scopes ?? "user_impersonation";
            claims["name"] = request.Name ?? user?.DisplayName;
            if (v1 || request.Upn is not null)
            {
                claims["upn"] = upn;
            }
            if (v1)
            {
                claims["unique_name"] = upn;
            }
            if (!v1 || request.PreferredUsername is not null)
            {
                claims["preferred_username"] = request.PreferredUsername ?? upn;
            }
            if (request.Roles is { } roles)
            {
                claims["roles"] = new JsonArray([.. roles.Select(r => (JsonNode?)JsonValue.Create(r))]);
            }
        }

        foreach (var (name, value) in request.ExtraClaims ?? [])
        {
            claims[name] = value?.DeepClone();
        }
        foreach (var name in claims.Where(c => c.Value is null).Select(c => c.Key).ToList())
        {
            claims.Remove(name);
        }

        var payload = claims.ToJsonString();
        return request.Signing switch
        {
            TokenSigning.None => _handler.CreateToken(payload),
            TokenSigning.UnknownKey => _handler.CreateToken(payload, new SigningCredentials(_unknownKey, SecurityAlgorithms.RsaSha256)),
            _ => _handler.CreateToken(payload, new SigningCredentials(_key, SecurityAlgorithms.RsaSha256)),
        };
    }

    /// <summary>Validates a bearer token the way an Azure resource provider would for <paramref name="audience"/>.</summary>
    internal async Task<TokenCheck> ValidateAsync(string token, string audience, string? otherTenant = null)
    {
        var parameters = new TokenValidationParameters
        {
            IssuerSigningKey = _key,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            RequireSignedTokens = true,
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
            RequireExpirationTime = false,
        };
        var result = await _handler.ValidateTokenAsync(token, parameters);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            return new TokenCheck(TokenFailure.Invalid, null, result.Exception?.GetType().Name ?? "invalid token");
        }

        var tenant = jwt.TryGetPayloadValue<string>("tid", out var tid) ? tid : null;
        if (tenant is null
            || (!string.Equals(tenant, _context.TenantId, StringComparison.OrdinalIgnoreCase) && !string.Equals(tenant, otherTenant, StringComparison.OrdinalIgnoreCase))
            || (jwt.Issuer != _context.V1Issuer(tenant) && jwt.Issuer != _context.V2Issuer(tenant)))
        {
            return new TokenCheck(TokenFailure.WrongTenant, null, jwt.Issuer);
        }
        if (!jwt.Audiences.Any(a => string.Equals(a.TrimEnd('/'), audience, StringComparison.OrdinalIgnoreCase)))
        {
            return new TokenCheck(TokenFailure.WrongAudience, null, string.Join(",", jwt.Audiences));
        }
        var now = _context.Time.GetUtcNow().UtcDateTime;
        if (!jwt.TryGetPayloadValue<long>("exp", out _) || jwt.ValidTo < now - ClockSkew || jwt.ValidFrom > now + ClockSkew)
        {
            return new TokenCheck(TokenFailure.Expired, null, jwt.ValidTo.ToString("O", CultureInfo.InvariantCulture));
        }
        return new TokenCheck(TokenFailure.None, new ClaimsPrincipal(result.ClaimsIdentity), null);
    }

    public void Dispose()
    {
        _certificate.Dispose();
        _rsa.Dispose();
        _unknownRsa.Dispose();
    }

    internal static string StableGuid(string seed) => new Guid(SHA256.HashData(Encoding.UTF8.GetBytes(seed))[..16]).ToString();
}

internal enum TokenFailure
{
    None,
    Missing,
    Invalid,
    WrongTenant,
    WrongAudience,
    Expired,
}

internal sealed record TokenCheck(TokenFailure Failure, ClaimsPrincipal? Principal, string? Detail);
