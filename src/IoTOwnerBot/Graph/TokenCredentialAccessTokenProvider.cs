using Azure.Core;
using Microsoft.Kiota.Abstractions.Authentication;

namespace IoTOwnerBot.Graph;

/// <summary>Kiota token provider over the service's Azure.Identity credential.</summary>
internal sealed class TokenCredentialAccessTokenProvider(TokenCredential credential, string scope, string graphHost) : IAccessTokenProvider
{
    public AllowedHostsValidator AllowedHostsValidator { get; } = new([graphHost]);

    public async Task<string> GetAuthorizationTokenAsync(Uri uri, Dictionary<string, object>? additionalAuthenticationContext = null,
        CancellationToken cancellationToken = default)
    {
        if (!AllowedHostsValidator.IsUrlHostValid(uri)) return string.Empty;
        var token = await credential.GetTokenAsync(new TokenRequestContext([scope]), cancellationToken);
        return token.Token;
    }
}
