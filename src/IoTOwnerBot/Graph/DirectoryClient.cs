using Azure.Core;
using Microsoft.Graph;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;

namespace IoTOwnerBot.Graph;

/// <summary>A directory user as the bot needs them: who to ask, where, in which language.</summary>
public sealed record DirectoryUser(string ObjectId, string? UserPrincipalName, string? Mail, string? DisplayName, string? PreferredLanguage);

/// <summary>Looks owners up in Microsoft Graph (users by UPN or object id).</summary>
public sealed class DirectoryClient(GraphServiceClient graph)
{
    private static readonly string[] UserFields = ["id", "userPrincipalName", "mail", "displayName", "preferredLanguage"];

    /// <summary>The user, or null when the directory does not know the address.</summary>
    public async Task<DirectoryUser?> FindUserAsync(string upnOrId, CancellationToken ct)
    {
        try
        {
            var user = await graph.Users[upnOrId].GetAsync(r => r.QueryParameters.Select = UserFields, ct);
            return user?.Id is null ? null : new DirectoryUser(user.Id, user.UserPrincipalName, user.Mail, user.DisplayName, user.PreferredLanguage);
        }
        catch (ODataError error) when (error.ResponseStatusCode == 404)
        {
            return null;
        }
    }

    /// <summary>The user's manager, or null when the directory names none.</summary>
    public async Task<DirectoryUser?> FindManagerAsync(string objectId, CancellationToken ct)
    {
        try
        {
            var manager = await graph.Users[objectId].Manager.GetAsync(cancellationToken: ct) as Microsoft.Graph.Models.User;
            return manager?.Id is null ? null : new DirectoryUser(manager.Id, manager.UserPrincipalName, manager.Mail, manager.DisplayName, manager.PreferredLanguage);
        }
        catch (ODataError error) when (error.ResponseStatusCode == 404)
        {
            return null;
        }
    }
}

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

internal static class GraphClientFactory
{
    public static GraphServiceClient Create(HttpClient http, TokenCredential credential, string graphEndpoint, string scope)
    {
        var endpoint = new Uri(graphEndpoint.TrimEnd('/') + "/");
        var auth = new BaseBearerTokenAuthenticationProvider(new TokenCredentialAccessTokenProvider(credential, scope, endpoint.Host));
        return new GraphServiceClient(http, auth, new Uri(endpoint, "v1.0").ToString());
    }
}
