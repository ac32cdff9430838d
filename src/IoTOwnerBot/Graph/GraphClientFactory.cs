using Azure.Core;
using Microsoft.Graph;
using Microsoft.Kiota.Abstractions.Authentication;

namespace IoTOwnerBot.Graph;

internal static class GraphClientFactory
{
    public static GraphServiceClient Create(HttpClient http, TokenCredential credential, string graphEndpoint, string scope)
    {
        var endpoint = new Uri(graphEndpoint.TrimEnd('/') + "/");
        var auth = new BaseBearerTokenAuthenticationProvider(new TokenCredentialAccessTokenProvider(credential, scope, endpoint.Host));
        return new GraphServiceClient(http, auth, new Uri(endpoint, "v1.0").ToString());
    }
}
