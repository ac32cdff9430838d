using Microsoft.Graph;
using Microsoft.Graph.Models.ODataErrors;

namespace IoTOwnerBot.Graph;

/// <summary>
/// Looks owners up in Microsoft Graph: by object id or UPN, and — because a device's owner is often written down as the
/// address people mail, which need not be the UPN — by primary SMTP address (<c>mail</c>), then by any of the user's
/// addresses (<c>proxyAddresses</c>, primary <c>SMTP:</c> or alias <c>smtp:</c>).
/// </summary>
public sealed partial class DirectoryClient(GraphServiceClient graph, ILogger<DirectoryClient> logger)
{
    private static readonly string[] UserFields = ["id", "userPrincipalName", "mail", "displayName", "preferredLanguage"];

    /// <summary>The user, or null when the directory does not know the address (or two users claim it).</summary>
    public async Task<DirectoryUser?> FindUserAsync(string upnOrId, CancellationToken ct)
    {
        try
        {
            var user = await graph.Users[upnOrId].GetAsync(r => r.QueryParameters.Select = UserFields, ct);
            return ToDirectoryUser(user);
        }
        catch (ODataError error) when (error.ResponseStatusCode == 404)
        {
            if (!IsMailAddress(upnOrId)) return null;
        }
        // Graph compares these filters without regard to case, so one query per property covers SMTP: and smtp:.
        var literal = upnOrId.Replace("'", "''", StringComparison.Ordinal);
        return await FindOneAsync($"mail eq '{literal}'", upnOrId, ct)
               ?? await FindOneAsync($"proxyAddresses/any(a:a eq 'smtp:{literal}')", upnOrId, ct);
    }

    private async Task<DirectoryUser?> FindOneAsync(string filter, string address, CancellationToken ct)
    {
        var page = await graph.Users.GetAsync(r =>
        {
            r.QueryParameters.Filter = filter;
            r.QueryParameters.Select = UserFields;
            r.QueryParameters.Top = 2;
        }, ct);
        var users = page?.Value ?? [];
        if (users.Count > 1)
        {
            // Two directory objects answering to one address is a directory error; asking either could ask the wrong person.
            Log.AmbiguousAddress(logger, users.Count);
            return null;
        }
        return users.Count == 1 ? ToDirectoryUser(users[0]) : null;
    }

    private static bool IsMailAddress(string value) =>
        value.IndexOf('@', StringComparison.Ordinal) is > 0 and var at && at < value.Length - 1 && !value.Any(char.IsWhiteSpace);

    private static DirectoryUser? ToDirectoryUser(Microsoft.Graph.Models.User? user) =>
        user?.Id is null ? null : new DirectoryUser(user.Id, user.UserPrincipalName, user.Mail, user.DisplayName, user.PreferredLanguage);

    private static partial class Log
    {
        [LoggerMessage(EventId = 1251, Level = LogLevel.Warning,
            Message = "{Count} directory users answer to one owner address; the owner is treated as not found until the directory is corrected")]
        public static partial void AmbiguousAddress(ILogger logger, int count);
    }

    /// <summary>The user's manager, or null when the directory names none.</summary>
    public async Task<DirectoryUser?> FindManagerAsync(string objectId, CancellationToken ct)
    {
        try
        {
            return ToDirectoryUser(await graph.Users[objectId].Manager.GetAsync(cancellationToken: ct) as Microsoft.Graph.Models.User);
        }
        catch (ODataError error) when (error.ResponseStatusCode == 404)
        {
            return null;
        }
    }
}
