using System.Security.Claims;
using System.Security.Cryptography;
using IoTOwnerBot.Hosting;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IoTOwnerBot.Tests.Hosting;

/// <summary>
/// A token seen again is answered from its full check only while that check would still hold: never past its expiry,
/// never longer than <see cref="ValidatedTokenCache.MaxAge"/>, never for a token that failed, and always with the
/// request's own identity.
/// </summary>
public sealed class ValidatedTokenCacheTests : IDisposable
{
    private const string Issuer = "https://login.microsoftonline.com/tenant/v2.0";
    private const string Audience = "api://iotownerbot";

    private readonly RSA _rsa = RSA.Create(2048);
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly ValidatedTokenCache _cache;

    public ValidatedTokenCacheTests() => _cache = new ValidatedTokenCache(new JsonWebTokenHandler { MapInboundClaims = false }, _clock);

    public void Dispose() => _rsa.Dispose();

    [Fact]
    public async Task SameTokenAgain_IsAnsweredFromTheFullCheck()
    {
        var token = Token(TimeSpan.FromHours(1));
        Assert.True((await _cache.ValidateTokenAsync(token, Parameters())).IsValid);

        // The scheme's settings are the same for one handler; a different audience here shows the check was not run again.
        var again = await _cache.ValidateTokenAsync(token, Parameters(audience: "api://someone-else"));

        Assert.True(again.IsValid);
        Assert.Equal("owner-oid", again.ClaimsIdentity.FindFirst("oid")?.Value);
    }

    [Fact]
    public async Task AfterMaxAge_TheTokenIsCheckedInFullAgain()
    {
        var token = Token(TimeSpan.FromHours(1));
        Assert.True((await _cache.ValidateTokenAsync(token, Parameters())).IsValid);

        _clock.Advance(ValidatedTokenCache.MaxAge);

        Assert.False((await _cache.ValidateTokenAsync(token, Parameters(audience: "api://someone-else"))).IsValid);
    }

    [Fact]
    public async Task NearItsExpiry_TheTokenIsKeptOnlyUntilItExpires()
    {
        var parameters = Parameters();
        var token = Token(TimeSpan.FromMinutes(1));
        Assert.True((await _cache.ValidateTokenAsync(token, parameters)).IsValid);

        _clock.Advance(TimeSpan.FromMinutes(1) + parameters.ClockSkew - TimeSpan.FromSeconds(1));
        Assert.True((await _cache.ValidateTokenAsync(token, Parameters(audience: "api://someone-else"))).IsValid);

        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.False((await _cache.ValidateTokenAsync(token, Parameters(audience: "api://someone-else"))).IsValid);
    }

    [Fact]
    public async Task ARefusedToken_IsCheckedInFullEveryTime()
    {
        var token = Token(TimeSpan.FromHours(1));
        Assert.False((await _cache.ValidateTokenAsync(token, Parameters(audience: "api://someone-else"))).IsValid);

        Assert.True((await _cache.ValidateTokenAsync(token, Parameters())).IsValid);
    }

    [Fact]
    public async Task ATamperedCopyOfAKeptToken_IsRefused()
    {
        var token = Token(TimeSpan.FromHours(1));
        Assert.True((await _cache.ValidateTokenAsync(token, Parameters())).IsValid);
        var parts = token.Split('.');
        var forged = $"{parts[0]}.{Base64UrlEncoder.Encode("""{"iss":"https://login.microsoftonline.com/tenant/v2.0","aud":"api://iotownerbot","oid":"attacker","exp":4102444800}""")}.{parts[2]}";

        Assert.False((await _cache.ValidateTokenAsync(forged, Parameters())).IsValid);
    }

    [Fact]
    public async Task EachResult_HasItsOwnIdentity()
    {
        var token = Token(TimeSpan.FromHours(1));
        var first = await _cache.ValidateTokenAsync(token, Parameters());
        first.ClaimsIdentity.AddClaim(new Claim("roles", "Admin"));

        var second = await _cache.ValidateTokenAsync(token, Parameters());

        Assert.NotSame(first.ClaimsIdentity, second.ClaimsIdentity);
        Assert.Null(second.ClaimsIdentity.FindFirst("roles"));
    }

    private string Token(TimeSpan lifetime)
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            Claims = new Dictionary<string, object> { ["oid"] = "owner-oid" },
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(_rsa) { KeyId = "k1" }, SecurityAlgorithms.RsaSha256),
        });
    }

    private TokenValidationParameters Parameters(string audience = Audience) => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = audience,
        IssuerSigningKey = new RsaSecurityKey(_rsa.ExportParameters(false)) { KeyId = "k1" },
        ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        ClockSkew = TimeSpan.FromMinutes(2),
    };
}
