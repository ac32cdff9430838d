using System.Collections.Concurrent;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IoTOwnerBot.Hosting;

/// <summary>
/// The token handler of one inbound scheme: every token is validated in full by <see cref="JsonWebTokenHandler"/>
/// (signature, issuer, audience, algorithm, lifetime) the first time it is seen; the same token string presented
/// again — a Bot Framework channel sends one token with every activity for up to an hour — is answered from that
/// result while it lasts. It lasts until the token expires (with the scheme's clock skew, as the full check allows)
/// and at most <see cref="MaxAge"/>, so a change of the scheme's keys or settings applies within minutes. Only valid
/// results are kept; a refused token is checked in full every time. Each request gets its own copy of the identity.
/// </summary>
public sealed class ValidatedTokenCache(JsonWebTokenHandler inner, TimeProvider time) : TokenHandler
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);
    public const int Capacity = 10_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        ArgumentNullException.ThrowIfNull(validationParameters);
        var now = time.GetUtcNow();
        if (token is not null && _entries.TryGetValue(token, out var kept))
        {
            if (now < kept.Until) return Copy(kept.Result);
            _entries.TryRemove(new KeyValuePair<string, Entry>(token, kept));
        }

        var result = await inner.ValidateTokenAsync(token, validationParameters);
        if (result is { IsValid: true, SecurityToken: { } validated, ClaimsIdentity: not null } && token is not null)
        {
            var expires = new DateTimeOffset(DateTime.SpecifyKind(validated.ValidTo, DateTimeKind.Utc)) + validationParameters.ClockSkew;
            var until = expires < now + MaxAge ? expires : now + MaxAge;
            if (until <= now) return result;
            if (_entries.Count >= Capacity) _entries.Clear();
            _entries[token] = new Entry(result, until);
            return Copy(result);
        }
        return result;
    }

    public override SecurityToken ReadToken(string token) => inner.ReadToken(token);

    public override int MaximumTokenSizeInBytes
    {
        get => inner.MaximumTokenSizeInBytes;
        set => inner.MaximumTokenSizeInBytes = value;
    }

    /// <summary>The validated token is immutable and shared; the identity is the request's own, so nothing can leak between requests.</summary>
    private static TokenValidationResult Copy(TokenValidationResult result) => new()
    {
        IsValid = true,
        ClaimsIdentity = result.ClaimsIdentity.Clone(),
        SecurityToken = result.SecurityToken,
        Issuer = result.Issuer,
        TokenType = result.TokenType,
    };

    private sealed record Entry(TokenValidationResult Result, DateTimeOffset Until);
}
