using System.Collections.Concurrent;
using System.Text.Json;
using Azure.Core;

namespace IoTOwnerBot.Hosting;

/// <summary>
/// The explicit local mode: client-credential tokens from the emulator's Entra-like token endpoint,
/// which speaks plain HTTP on loopback (MSAL refuses non-HTTPS authorities, so this is not MSAL).
/// </summary>
internal sealed class LocalEmulatorCredential(HttpClient http, string authority, string tenantId, string clientId, TimeProvider time)
    : TokenCredential
{
    private readonly ConcurrentDictionary<string, AccessToken> _cache = new(StringComparer.Ordinal);

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        var scope = string.Join(' ', requestContext.Scopes);
        if (_cache.TryGetValue(scope, out var cached) && cached.ExpiresOn > time.GetUtcNow().AddMinutes(5))
            return cached;

        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = "local-emulator",
            ["scope"] = scope,
        });
        using var response = await http.PostAsync(new Uri($"{authority.TrimEnd('/')}/{tenantId}/oauth2/v2.0/token"), form, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var doc = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
        var token = new AccessToken(
            doc.RootElement.GetProperty("access_token").GetString()!,
            time.GetUtcNow().AddSeconds(doc.RootElement.GetProperty("expires_in").GetInt32()));
        _cache[scope] = token;
        return token;
    }
}
