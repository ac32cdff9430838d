using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Incidents;

/// <summary>
/// Authenticates a body signed with a shared secret:
/// <c>X-IoTOwnerBot-Signature: sha256=&lt;hex HMAC-SHA256 of "{timestamp}.{body}"&gt;</c> and
/// <c>X-IoTOwnerBot-Timestamp: &lt;unix seconds&gt;</c>, within a tolerance so a captured request cannot be replayed later.
/// </summary>
public sealed class HmacAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    IOptionsMonitor<IntakeOptions> intake,
    TimeProvider time,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder) : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggerFactory, encoder)
{
    public const string SignatureHeader = "X-IoTOwnerBot-Signature";
    public const string TimestampHeader = "X-IoTOwnerBot-Timestamp";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(SignatureHeader, out var signatureValues)) return AuthenticateResult.NoResult();
        var config = intake.CurrentValue;
        if (config.HmacSecrets.Count == 0) return AuthenticateResult.Fail("Signed intake is not enabled.");

        var signature = signatureValues.ToString();
        if (!signature.StartsWith("sha256=", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.Fail("Unsupported signature scheme.");
        byte[] given;
        try { given = Convert.FromHexString(signature["sha256=".Length..]); }
        catch (FormatException) { return AuthenticateResult.Fail("Malformed signature."); }

        if (!long.TryParse(Request.Headers[TimestampHeader].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var unix))
            return AuthenticateResult.Fail("Missing or malformed timestamp.");
        var age = time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(unix, 0, 253402300799));
        if (age.Duration() > config.HmacTolerance) return AuthenticateResult.Fail("Timestamp outside the allowed window.");

        var body = await IntakeBody.ReadAsync(Request, Context.RequestAborted);
        var prefix = Encoding.UTF8.GetBytes(unix.ToString(CultureInfo.InvariantCulture) + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.Span.CopyTo(signed.AsSpan(prefix.Length));

        foreach (var secret in config.HmacSecrets)
        {
            var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed);
            if (CryptographicOperations.FixedTimeEquals(expected, given))
            {
                var identity = new ClaimsIdentity([new Claim("caller", "hmac-shared-secret")], Scheme.Name);
                return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
            }
        }
        return AuthenticateResult.Fail("Signature does not match.");
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        IntakeBody.WriteUnauthorizedAsync(Context);
}
